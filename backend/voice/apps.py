from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "Voice notes"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (stored audio follows its row)
