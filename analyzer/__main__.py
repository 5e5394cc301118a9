"""``python -m analyzer`` does what the ``waardenscan`` command does."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
