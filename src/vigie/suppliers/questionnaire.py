"""The due-diligence questionnaire as versioned data (data/questionnaire.yaml) with a typed
loader, and the points its answers add to a supplier's risk score."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from vigie.core.errors import Invalid

DATA = Path(__file__).parent / "data" / "questionnaire.yaml"
LANGUAGES = ("en", "fr", "ar")


@dataclass(frozen=True)
class Question:
    code: str
    section: str
    text: dict[str, str]
    choices: dict[str, int]  # answer -> risk points

    def label(self, language: str) -> str:
        return self.text.get(language[:2]) or self.text["en"]


@dataclass(frozen=True)
class Questionnaire:
    code: str
    version: int
    title: dict[str, str]
    questions: tuple[Question, ...]
    choice_labels: dict[str, dict[str, str]]

    def choice_label(self, choice: str, language: str) -> str:
        labels = self.choice_labels.get(choice, {})
        return labels.get(language[:2]) or labels.get("en") or choice

    def check(self, answers: dict[str, Any]) -> dict[str, str]:
        """Every question answered with one of its choices; unknown keys refused."""
        clean: dict[str, str] = {}
        problems: dict[str, str] = {}
        for q in self.questions:
            value = str(answers.get(q.code) or "")
            if value not in q.choices:
                problems[q.code] = "choose one of: " + ", ".join(q.choices)
            else:
                clean[q.code] = value
        extra = sorted(set(answers) - {q.code for q in self.questions})
        for key in extra:
            problems[key] = "not a question of this questionnaire"
        if problems:
            raise Invalid(_("Some answers are missing or not allowed."), detail=problems)
        return clean

    def points(self, answers: dict[str, str]) -> list[tuple[Question, str, int]]:
        return [
            (q, answers[q.code], q.choices[answers[q.code]])
            for q in self.questions
            if answers.get(q.code) in q.choices and q.choices[answers[q.code]]
        ]


def parse(doc: dict[str, Any]) -> Questionnaire:
    questions = []
    for raw in doc["questions"]:
        text = {k: str(v) for k, v in raw["text"].items()}
        missing = [lang for lang in LANGUAGES if not text.get(lang)]
        if missing:
            raise ValueError(f"question {raw['code']}: no text in {missing}")
        questions.append(
            Question(
                raw["code"],
                raw["section"],
                text,
                {str(k): int(v) for k, v in raw["choices"].items()},
            )
        )
    labels = {
        str(k): {lk: str(lv) for lk, lv in v.items()} for k, v in doc["choice_labels"].items()
    }
    for q in questions:
        for choice in q.choices:
            if any(not labels.get(choice, {}).get(lang) for lang in LANGUAGES):
                raise ValueError(f"choice {choice}: no label in every language")
    return Questionnaire(doc["code"], int(doc["version"]), doc["title"], tuple(questions), labels)


@cache
def current() -> Questionnaire:
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")))
