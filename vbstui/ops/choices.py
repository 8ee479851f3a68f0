"""The global options that decide what to connect to, on their own: the TUI's start
reads them before anything heavy is imported (see `vbstui.ui.first_page`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Choices:
    """The global options that decide what to connect to."""

    config_path: str | None = None
    profile: str | None = None
    demo: bool = False
    demo_reset: bool = False  # start the demo over with a fresh world (implies demo)
    os_cloud: str | None = None
    use_env: bool = False
    clouds_from_cwd: bool = False

    @classmethod
    def from_args(cls, args: object) -> Choices:
        """From parsed command-line options (any object with those attributes)."""
        return cls(
            config_path=getattr(args, "config", None),
            profile=getattr(args, "profile", None),
            demo=getattr(args, "demo", False),
            demo_reset=getattr(args, "demo_reset", False),
            os_cloud=getattr(args, "os_cloud", None),
            use_env=getattr(args, "use_env", False),
            clouds_from_cwd=getattr(args, "clouds_from_cwd", False),
        )

    @property
    def wants_demo(self) -> bool:
        return self.demo or self.demo_reset
