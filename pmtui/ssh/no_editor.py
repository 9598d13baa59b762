"""What ``$EDITOR`` runs in SSH sessions when the server allows no external editor: it says so,
waits for Enter, and exits non-zero so the app keeps the text unchanged."""

import sys

if __name__ == "__main__":
    print("pmtui: this server allows no external editor (an editor could open any file on the server).")
    print("Edit the text in the box instead; the admin can allow one with `pmtui serve --editor`.")
    try:
        input("Press Enter to go back… ")
    except EOFError:
        pass
    sys.exit(1)
