"""Token lifetimes, access and permission scopes, revocation reasons; pending role grants."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def expire_unlimited_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    # A token issued before lifetimes existed keeps working for one default lifetime from now,
    # so that scripts have time to get a new one; none stays unlimited.
    token = apps.get_model("core", "ApiToken")
    days = getattr(settings, "VIGIE_TOKEN_DEFAULT_DAYS", 90)
    token.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # tokens issued before scopes existed could write: they keep that, new ones default to read
        migrations.AddField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="write",
                max_length=5,
                verbose_name="access",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="read",
                max_length=5,
                verbose_name="access",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="permissions",
            field=models.JSONField(blank=True, default=list, verbose_name="permissions"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(expire_unlimited_tokens, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PendingGrant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField(max_length=40, verbose_name="role")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved"),
                            ("refused", "Refused"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pending_grants",
                        to="core.organisation",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pending_grants",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-requested_at"]},
        ),
        migrations.AddConstraint(
            model_name="pendinggrant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("user", "organisation", "role"),
                name="uniq_pending_grant",
            ),
        ),
    ]
