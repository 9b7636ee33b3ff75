"""Use cases: the one place that decides (domain/ rules) and then records (through ports).

Every action that changes a suggestion or an account goes through a function here, whether the
console, the command line or (later) a chat handler asks for it. The functions take plain
values and ports (services/ports.py); SQL adapters live in bot/store/. Nothing here imports
Flask, SQLAlchemy or Redis.
"""
