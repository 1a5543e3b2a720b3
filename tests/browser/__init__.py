"""Real-browser tests of the consent page (Playwright driving the system Chromium)."""
