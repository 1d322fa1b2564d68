"""The spring 2025 demo data, its loader and the demo staff accounts.

An app of its own beside the tracker, for exploring a fresh checkout
(``make run``): ``load_demo`` loads ``fixtures/ukraine-2025.json`` through the
services, and ``ensure_demo_staff`` makes the two demo accounts, only with
DEBUG on.
"""
