"""The scheduling engine: plain data in (planning.engine.problem), a schedule out. It knows nothing of Django
models: planning.services builds the Problem from the shop's open work and stores the Solution; the
schedule_bench command feeds it the classic job-shop instances through the same model-building code."""

from .problem import Job, Problem, Resource, Solution, Task

__all__ = ["Job", "Problem", "Resource", "Solution", "Task"]
