"""Pages of the case list API: numbered pages with a capped count, or a keyset cursor.

- ``?page=N&page_size=M`` (M up to 200): ``count`` is exact up to
  ``selectors.LIST_COUNT_CAP`` matches, else that cap with ``count_is_exact: false``;
- ``?after=CURSOR``: the cases after a position (``next_cursor`` of any page), with no
  OFFSET and no count, so page 20,000 costs what page 1 costs.

Either way a page is two queries at most (count, rows), whatever its size or depth.
"""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from vigie.cases import selectors


class CaseListPagination(PageNumberPagination):
    page_size = selectors.LIST_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = selectors.LIST_MAX_PAGE_SIZE
    django_paginator_class = selectors.CappedPaginator

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.cursor = request.query_params.get("after")
        if not self.cursor:
            rows = super().paginate_queryset(queryset, request, view) or []
            self.rows = list(rows)
            page: Any = self.page
            self.more = page.has_next() or (
                not page.paginator.count_is_exact and len(self.rows) == page.paginator.per_page
            )
            return self.rows
        size = self.get_page_size(request) or self.page_size
        after = selectors.after_cursor(queryset, self.cursor)  # errors.Invalid: a 400
        rows = list(after[: size + 1])
        self.more = len(rows) > size
        self.rows = rows[:size]
        return self.rows

    def _cursor_link(self) -> str | None:
        if not (self.more and self.rows):
            return None
        request: Any = self.request
        url = remove_query_param(request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, "after", selectors.cursor_for(self.rows[-1]))

    def get_paginated_response(self, data: Any) -> Response:
        next_cursor = selectors.cursor_for(self.rows[-1]) if self.more and self.rows else None
        body: dict[str, Any]
        if self.cursor:
            body = {"count": None, "count_is_exact": False, "next": self._cursor_link()}
            body |= {"previous": None}
        else:
            paginator: Any = self.page.paginator if self.page is not None else None
            body = {
                "count": paginator.count,
                "count_is_exact": paginator.count_is_exact,
                "next": self.get_next_link() or self._cursor_link(),
                "previous": self.get_previous_link(),
            }
        return Response(body | {"next_cursor": next_cursor, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        props = out["properties"]
        props["count"]["nullable"] = True
        props["count"]["description"] = "matches, up to the cap (null with ?after=)"
        props["count_is_exact"] = {"type": "boolean"}
        props["next_cursor"] = {
            "type": "string",
            "nullable": True,
            "description": "give as ?after= for the next page (keyset, any depth)",
        }
        return out

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": "after",
                "required": False,
                "in": "query",
                "description": "next_cursor of a previous page: the cases after it",
                "schema": {"type": "string"},
            }
        )
        return params
