"""The workflows' Celery tasks, defined in workflows/engine.py beside what they run and imported here so that
Celery's autodiscovery registers them: `run_workflow` (queued after the commit that started a run) and beat's
`run_due_workflow_steps` (every minute)."""

from .engine import run_due_workflow_steps, run_workflow

__all__ = ["run_due_workflow_steps", "run_workflow"]
