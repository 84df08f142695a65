"""Protocol capture: every decrypted message of chosen clients, both ways, as JSON lines.

- ``writer.Capture``: what sessions hand messages to, and the task that writes them;
- ``records``: a message → records (decoded in the session's layer, answers linked);
- ``redaction``: secrets and file bytes out of a record, text masked on request;
- ``control``: on/off and filters, from the settings and ``control.json``;
- ``files``: the files, rotated by size.

`mtserver inspect` (tools/inspect/) reads what this writes.
"""

from .control import CONTROL_FILE, CaptureControl
from .writer import Capture

__all__ = ["Capture", "CaptureControl", "CONTROL_FILE"]
