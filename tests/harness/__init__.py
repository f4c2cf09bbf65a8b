"""Test harness code shared by the test suites (not tests themselves)."""
