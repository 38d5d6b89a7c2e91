"""``python -m tests.system.fault_serve serve ...``: voicebot's CLI with the fault engines registered.

The engines that fail on purpose (voicebot/engines/fault.py) are not reachable from a normal process;
the fault tests start their server through this launcher instead of ``python -m voicebot``.
"""

from voicebot.cli import main
from voicebot.engines.registry import register_fault_engines

register_fault_engines()
raise SystemExit(main())
