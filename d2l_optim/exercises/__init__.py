"""The chapter's exercises: an id for each, what its answer is, and a check written once for every
backend.

Exercise N of a section is ``<section>-N`` (``adam-3``), numbered as in its ``**Exercise N
(title).**`` cell. An exercise whose answer is a number, an array, a function or the data of a
figure has a check, declared in ``d2l_optim/exercises/<section>.py`` with the names its answer is
given under (the worked solution defines them; a student's answer cell defines them in place of
``...``)::

    exercise = exercises.section("gd")

    @exercise(1, "number", end_by_rate="where ten steps from x = 10 end: {0.5: x, 0.99: x, 1.0: x}")
    def regimes(end_by_rate):
        ...  # raise Wrong("a hint") unless the answer is right

A check computes its reference itself (from the same seeded data, with NumPy on ``d2l.numpy``
values) and raises :class:`Wrong` with a hint when the answer is wrong; any other exception while
checking counts as a wrong answer, with its message. An exercise without a check is answered in
words: its worked solution ends with a rubric (a markdown cell tagged ``solution`` and ``rubric``)
that only instructors see.

In a notebook, ``d2l.check("gd-1")`` checks the answer in the notebook's variables and prints
passed, failed with the hint, or not attempted (an answer still ``...``, a name not defined, a
function still the answer cell's stub). ``d2l-optim check`` runs a whole notebook and
records every exercise (:func:`record`); otter-grader's tests call :func:`verify`.
"""
import importlib
import importlib.util
import inspect
import json
import os
import sys
from typing import Callable, NamedTuple, Optional, Tuple

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
#: the kinds of checked answers (an exercise without a check is of the kind "text")
KINDS = ("number", "array", "function", "figure-data")
#: the environment variable naming the file :func:`record` appends its results to
REPORT_VARIABLE = "D2L_OPTIM_CHECK_REPORT"
#: what a function answer raises until the student writes it
PLACEHOLDER = "replace this line with your code"


class Wrong(Exception):
    """A wrong answer; the message is the hint shown to the student."""


class Answer(NamedTuple):
    """A name the answer is given under: a value, or a function of ``signature``."""

    name: str
    description: str
    signature: Optional[str] = None

    def placeholder(self):
        """The answer cell's line(s) for this name, to be replaced by the student."""
        if self.signature is None:
            return f"{self.name} = ...  # {self.description}"
        return (f"def {self.name}({self.signature}):\n    \"\"\"{self.description}\"\"\"\n"
                f"    raise NotImplementedError(\"{PLACEHOLDER}\")")


def function(signature, description):
    """An answer that is a function: ``project_l1=function("v, radius=1.0", "the projection ...")``."""
    return Answer("", description, signature)


class Check(NamedTuple):
    """The automatic check of one exercise."""

    section: str
    number: int
    kind: str
    points: int
    answers: Tuple[Answer, ...]
    decide: Callable

    @property
    def id(self):
        return f"{self.section}-{self.number}"


class Result(NamedTuple):
    """One exercise's outcome: ``status`` is :data:`PASSED`, :data:`FAILED` or :data:`NOT_ATTEMPTED`."""

    id: str
    status: str
    points: int
    possible: int
    message: str

    def line(self):
        return f"{self.id}: {self.status}" + (f". {self.message}" if self.message else "")


def placeholders(check):
    """The answer cell's code: a ``...`` for each value, a stub for each function."""
    parts = [answer.placeholder() for answer in check.answers]
    spaced = [check.answers[i].signature or check.answers[i + 1].signature for i in range(len(parts) - 1)]
    return parts[0] + "".join(("\n\n\n" if wide else "\n") + part for wide, part in zip(spaced, parts[1:]))


def answer_instructions(check):
    """What the answer cell asks of the student."""
    functions = any(answer.signature for answer in check.answers)
    what = "each ... and the body of each function" if functions else "each ..."
    return f"Replace {what}; keep the names (the check below reads them)."


_CHECKS = {}  # section -> {number: Check}


def section(name):
    """The decorator that declares the checks of section ``name`` (see the module doc)."""
    def exercise(number, kind, points=1, **answers):
        if kind not in KINDS:
            raise ValueError(f"exercise {name}-{number}: kind must be one of {KINDS}, got {kind!r}")
        declared = tuple(value._replace(name=key) if isinstance(value, Answer) else Answer(key, value)
                         for key, value in answers.items())

        def register(decide):
            parameters = list(inspect.signature(decide).parameters)
            if parameters != [answer.name for answer in declared]:
                raise ValueError(f"exercise {name}-{number}: the check takes {parameters}, but the answers "
                                 f"are {[answer.name for answer in declared]}")
            _CHECKS.setdefault(name, {})[number] = Check(name, number, kind, points, declared, decide)
            return decide
        return register
    return exercise


def checks_of(section_name):
    """The checks of a section, by exercise number ({} for a section that declares none)."""
    module = f"{__name__}.{section_name}"
    if section_name not in _CHECKS and section_name.isidentifier() \
            and importlib.util.find_spec(module) is not None:
        importlib.import_module(module)
    return dict(sorted(_CHECKS.get(section_name, {}).items()))


def find(exercise_id):
    """The check of ``exercise_id`` (``"gd-1"``); ValueError naming the known ones if there is none."""
    section_name, _, number = str(exercise_id).rpartition("-")
    found = checks_of(section_name).get(int(number)) if number.isdigit() else None
    if found is None:
        known = ", ".join(check.id for check in checks_of(section_name).values())
        raise ValueError(f"no exercise {exercise_id!r} is checked automatically"
                         + (f"; the section's checked exercises: {known}" if known else
                            "; exercise ids look like gd-1 (the section, then the exercise's number)"))
    return found


_UNSET = object()


def evaluate(exercise_id, namespace):
    """Check the answer to ``exercise_id`` found in ``namespace`` (a notebook's variables)."""
    check = find(exercise_id)

    def result(status, message):
        return Result(check.id, status, check.points if status == PASSED else 0, check.points, message)

    given = {answer.name: namespace.get(answer.name, _UNSET) for answer in check.answers}
    missing = [name for name, value in given.items() if value is _UNSET or value is Ellipsis
               or PLACEHOLDER in getattr(getattr(value, "__code__", None), "co_consts", ())]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        functions = any(answer.signature for answer in check.answers if answer.name in missing)
        where = "(write it in the answer cell)" if functions else "(replace the ... in the answer cell)"
        if len(missing) == len(given):
            return result(NOT_ATTEMPTED, f"give your answer as {names} {where}")
        return result(FAILED, f"{names} still to be answered {where}")
    try:
        check.decide(**given)
    except Wrong as wrong:
        return result(FAILED, str(wrong))
    except Exception as error:  # the answer broke the check: a wrong type, a function that raises
        return result(FAILED, f"checking your answer raised {type(error).__name__}: {error}")
    return result(PASSED, "")


def check(exercise_id, namespace=None):
    """Check an answer in a notebook and print the outcome: ``d2l.check("gd-1")``. The answer is
    read from ``namespace`` (default: the caller's global variables, the notebook's)."""
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    outcome = evaluate(exercise_id, namespace)
    print(outcome.line())
    return outcome


def record(exercise_id, namespace):
    """Check an answer and append the outcome, as a JSON line, to the file that the environment
    variable ``D2L_OPTIM_CHECK_REPORT`` names (``d2l-optim check`` does this after each exercise)."""
    try:
        outcome = evaluate(exercise_id, namespace)
    except KeyboardInterrupt:  # the check command's time limit interrupted a student's function
        check_ = find(exercise_id)
        outcome = Result(check_.id, FAILED, 0, check_.points,
                         "the check was stopped at the time limit: does a function of yours run forever?")
    with open(os.environ[REPORT_VARIABLE], "a", encoding="utf-8") as file:
        file.write(json.dumps(outcome._asdict()) + "\n")
    print(outcome.line())


def verify(exercise_id, namespace):
    """Raise AssertionError with the hint unless the answer passes (otter-grader's test cells)."""
    outcome = evaluate(exercise_id, namespace)
    if outcome.status != PASSED:
        raise AssertionError(outcome.line())
