"""Understanding what callers say: pure, deterministic parsers for English ("en") and Korean ("ko").

Each module has one job (numbers, yes/no, catalogues, order lines, dates, times, phone numbers, digit
strings, global intents, corrections); docs/understanding.md lists what each recognises and its limits.
"""
