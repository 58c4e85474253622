"""`python -m outguard` runs the command-line interface."""

from outguard.cli.app import main

if __name__ == "__main__":
    main()
