"""Development mail written to files that only Voxloop's user can read: they hold password
reset and invitation links."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend

from voxloop.config.env import private


class PrivateFileBackend(EmailBackend):
    """Django's file backend with a 0700 folder and 0600 files."""

    def __init__(
        self, fail_silently: bool = False, file_path: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(fail_silently, file_path=file_path, **kwargs)
        private(Path(self.file_path), 0o700)

    def open(self) -> bool:
        if self.stream is None:
            fd = os.open(self._get_filename(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self.stream = os.fdopen(fd, "ab")
            return True
        return False
