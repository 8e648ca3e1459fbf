"""A joint project's life: idea → consortium → submitted → granted/refused → running → reported.

Plain Python, no I/O. Each change is allowed from one state only, and a project goes to the
funder only with members that have joined.
"""

from __future__ import annotations

from zll_contracts.payloads import Answer, ProjectState

from zll.platform.errors import Problem, Refused

NEXT: dict[ProjectState, tuple[ProjectState, ...]] = {
    ProjectState.IDEA: (ProjectState.CONSORTIUM,),
    ProjectState.CONSORTIUM: (ProjectState.SUBMITTED,),
    ProjectState.SUBMITTED: (ProjectState.GRANTED, ProjectState.REFUSED),
    ProjectState.GRANTED: (ProjectState.RUNNING,),
    ProjectState.RUNNING: (ProjectState.REPORTED,),
    ProjectState.REFUSED: (),
    ProjectState.REPORTED: (),
}

# Courses may be linked while the project is granted or running (and counted until reported).
COUNTING = (ProjectState.GRANTED, ProjectState.RUNNING, ProjectState.REPORTED)


def move(current: ProjectState, to: ProjectState, joined: int) -> ProjectState:
    """The new state, or Refused naming what is allowed from here."""
    allowed = NEXT[current]
    if to not in allowed:
        options = ", ".join(s.value for s in allowed) or "keiner / none"
        raise Refused([Problem(
            "state",
            f"cannot go from {current.value} to {to.value}; allowed: {options}",
            f"Das Projekt steht auf „{current.value}“ und kann nicht nach „{to.value}“ "
            f"wechseln; möglich ist: {options}.",
            f"The project is '{current.value}' and cannot move to '{to.value}'; "
            f"allowed: {options}.",
        )])  # fmt: skip
    if to is ProjectState.SUBMITTED and joined == 0:
        raise Refused([Problem(
            "state", "a project is submitted only with members that have joined",
            "Ein Projekt wird erst eingereicht, wenn Mitglieder zugesagt haben.",
            "A project is submitted only once members have joined.",
        )])  # fmt: skip
    return to


def answer_allowed(state: ProjectState, invited: bool, answer: Answer) -> None:
    """Members answer while the consortium forms, and only when they were invited."""
    if not invited:
        raise Refused([Problem(
            "provider_id", "this member was not invited to the project",
            "Dieses Mitglied wurde nicht zu dem Projekt eingeladen.",
            "This member was not invited to the project.",
        )])  # fmt: skip
    if state not in (ProjectState.IDEA, ProjectState.CONSORTIUM):
        raise Refused([Problem(
            "answer", f"the consortium is closed (project is {state.value})",
            f"Das Konsortium steht schon fest (Projekt: „{state.value}“); "
            f"„{answer.value}“ ist nicht mehr möglich.",
            f"The consortium is closed (project is '{state.value}'); "
            f"'{answer.value}' is no longer possible.",
        )])  # fmt: skip
