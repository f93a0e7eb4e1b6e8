"""REFI-QDA projects (``.qdpx``): a run folder out to NVivo, MAXQDA, ATLAS.ti or QualCoder,
and a project coded in one of them back in as coded comments.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and
``sources/``, one UTF-8 text file per source.

Export (``theming export RUN --format qdpx``): one ``TextSource`` per kept answer, its text the
run's redacted text (``artifacts/clean.comments.parquet``: nothing else of the answer leaves
the run); every tag a ``Coding`` inside a ``PlainTextSelection`` at its sentence's character
offsets in that text (``startPosition`` inclusive, ``endPosition`` exclusive, in Unicode
characters); the codebook as ``theming themes export`` writes it (``qdc.add_codes``); one
``Case`` per respondent with the variables ``group`` and each score column (every
respondent's scores, tagged or not, from ``recommend.answering.parquet``; a run folder from
before it existed keeps scores only for respondents with a tagged answer, in
``recommend.theme_comments.parquet``), and ``question`` on each source; a ``User`` for the
machine and one per reviewer in ``review/decisions.csv`` (a rejected tag is left out, an
accepted one names its reviewer as the selection's modifying user, an added one is a
selection of the whole answer created by its reviewer); each drafted recommendation a
``Note``, referenced from its theme's code (candidate themes' drafts from the project).
GUIDs are UUID5s of stable ids (run-specific ones under the run's input, config and themes
hashes), zip entries carry a fixed time: the same run folder gives the same file.

Import (``theming eval``, ``train``, ``themes import`` given a ``.qdpx``): codable codes become
themes as a ``.qdc`` import makes them (``qdc.read_codes``); each text source is split into
sentences as the clean stage splits, and a sentence takes every code whose selection
overlaps it by more than half of the sentence or more than half of the selection (so a
phrase coded inside a sentence codes that sentence, and a selection running a few
characters into the next sentence does not code it); a code on the whole source codes every
sentence. Each source is one coded comment with its sentences' codes.

Hand-written with ``zipfile`` and ``xml.etree``: no maintained Python library reads or writes
REFI-QDA projects, and the format is one XML document plus text files.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.codebook import qdc
from pipeline.errors import DataError, did_you_mean

log = logging.getLogger(__name__)

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES = "sources"
INTERNAL = "internal://"
PROJECT_ROOT = uuid.UUID("0b7f2d0e-5c7a-4d39-8a8e-2f6a4f1e9c31")  # ours: users and runs
MACHINE = "comment-theming"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
COMMENTS_ARTIFACT = Path("artifacts") / "clean.comments.parquet"
SCORES_ARTIFACT = Path("artifacts") / "recommend.answering.parquet"
TAGGED_SCORES_ARTIFACT = Path("artifacts") / "recommend.theme_comments.parquet"  # older runs
RECOMMENDATIONS_ARTIFACT = Path("artifacts") / "recommend.recommendations.parquet"
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: ET.Element, tag: str, text: str | None = None, /, **attributes: str
         ) -> ET.Element:
    """A child element; text and attribute values cleared of characters XML 1.0 forbids."""
    element = ET.SubElement(parent, _tag(tag), {k: NOT_XML.sub("", str(v))
                                                 for k, v in attributes.items()})
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def user_guid(name: str | None) -> str:
    """The machine's user GUID (``name`` None), else a reviewer's."""
    return str(uuid.uuid5(PROJECT_ROOT, f"user:{'machine' if name is None else 'reviewer:' + name}"))


@dataclass
class ExportSummary:
    """What an export wrote (counts for the CLI's one line)."""

    sources: int = 0
    codings: int = 0
    codes: int = 0
    cases: int = 0
    notes: int = 0
    reviewers: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------- export
class _Project:
    """The ``project.qde`` tree and the source files of one run folder."""

    def __init__(self, run) -> None:
        import pandas as pd

        self.run = run
        manifest = run.manifest
        stable = "|".join([*(i.get("sha256", "") for i in manifest.get("inputs", [])),
                           manifest.get("config", {}).get("sha256", ""),
                           manifest.get("themes", {}).get("sha256", "")])
        self.root_guid = uuid.uuid5(PROJECT_ROOT, f"run:{stable}")
        self.comments = pd.read_parquet(run.folder / COMMENTS_ARTIFACT)
        self.themes = run.themes()
        self.summary = ExportSummary(codes=len(self.themes.themes))
        self.input = manifest["config"]["settings"]["input"]
        self.scores = self._scores([s["column"] for s in self.input.get("score_columns", [])])
        self.files: dict[str, bytes] = {}

    def guid(self, kind: str, key: str) -> str:
        return str(uuid.uuid5(self.root_guid, f"{kind}:{key}"))

    def build(self) -> bytes:
        from pipeline import decisions as decisions_module

        decided = {(d.comment_id, d.theme): d for d in
                   decisions_module.read_decisions(self.run.folder)
                   if d.decision in decisions_module.TAG_DECISIONS}
        self.summary.reviewers = sorted({d.reviewer for d in decided.values()})
        machine = user_guid(None)
        project = ET.Element(_tag("Project"), {
            "name": NOT_XML.sub("", self.run.folder.name), "origin": f"{MACHINE} "
            f"{self.run.manifest.get('versions', {}).get(MACHINE, '')}".strip(),
            "creatingUserGUID": machine})
        users = _add(project, "Users")
        _add(users, "User", guid=machine, name=MACHINE, id=MACHINE)
        for reviewer in self.summary.reviewers:
            _add(users, "User", guid=user_guid(reviewer), name=reviewer)
        notes, code_notes, project_notes = self._notes()
        if self.themes.themes:  # the schema wants at least one code in a codebook
            qdc.add_codes(_add(project, "CodeBook"), self.themes, NAMESPACE, code_notes)
        variables = self._variables(project)
        self._cases(project, variables)
        self._sources(project, variables, decided)
        if len(notes):
            holder = _add(project, "Notes")
            for note in notes:
                holder.append(note)
        _add(project, "Description", "Machine coding of a survey round by comment-theming: "
             "one source per kept answer (its redacted text), each tag coded on its sentence; "
             "reviewers' decisions applied.")
        for guid in project_notes:
            _add(project, "NoteRef", targetGUID=guid)
        ET.indent(project)
        ET.register_namespace("", NAMESPACE)
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                + ET.tostring(project, encoding="unicode") + "\n").encode("utf-8")

    def _notes(self) -> tuple[list[ET.Element], dict[str, list[str]], list[str]]:
        """Drafted recommendations as ``Note`` elements; note GUIDs by theme id, and those of
        candidate themes (referenced from the project)."""
        import pandas as pd

        path = self.run.folder / RECOMMENDATIONS_ARTIFACT
        recommendations = pd.read_parquet(path) if path.is_file() else pd.DataFrame(
            columns=["key", "kind", "label", "text", "status", "evidence_line"])
        notes, by_theme, others = [], {}, []
        for rec in recommendations[recommendations["status"] == "drafted"].itertuples():
            guid = self.guid("note", str(rec.key))
            note = ET.Element(_tag("Note"), {"guid": guid, "creatingUser": user_guid(None),
                                             "name": NOT_XML.sub("", f"Draft recommendation: "
                                                                     f"{rec.label}")})
            _add(note, "PlainTextContent", f"{rec.text}\n\n{rec.evidence_line}".strip())
            notes.append(note)
            if rec.kind == "theme" and rec.key in self.themes.ids:
                by_theme.setdefault(str(rec.key), []).append(guid)
            else:
                others.append(guid)
        self.summary.notes = len(notes)
        return notes, by_theme, others

    def _variables(self, project: ET.Element) -> dict[str, tuple[str, str]]:
        """Declare the variables: name -> (GUID, type). ``group`` and ``question`` are text,
        each score column Integer (Float when a score is not whole)."""
        settings = self.input
        declared = {"group": ("Text", "The respondent's group"
                              + (f" (column {settings['group_column']})"
                                 if settings.get("group_column") else "")),
                    "question": ("Text", "The question the answer replies to")}
        for score in settings.get("score_columns", []):
            values = self.scores.get(score["column"], {}).values()
            kind = "Integer" if all(float(v).is_integer() for v in values) else "Float"
            declared[score["column"]] = (kind, score.get("statement", ""))
        holder = _add(project, "Variables")
        found = {}
        for name, (kind, description) in declared.items():
            guid = self.guid("variable", name)
            variable = _add(holder, "Variable", guid=guid, name=name, typeOfVariable=kind)
            _add(variable, "Description", description)
            found[name] = (guid, kind)
        return found

    def _scores(self, columns: list[str]) -> dict[str, dict[str, float]]:
        """score column -> respondent id -> score, where the run folder records it."""
        import pandas as pd

        path = self.run.folder / SCORES_ARTIFACT
        if not path.is_file():
            path = self.run.folder / TAGGED_SCORES_ARTIFACT
        if not columns or not path.is_file():
            return {}
        table = pd.read_parquet(path).drop_duplicates("respondent_id")
        return {c: {str(r): float(v) for r, v in zip(table["respondent_id"], table[c],
                                                     strict=True) if pd.notna(v)}
                for c in columns if c in table.columns}

    def _value(self, parent: ET.Element, variable: tuple[str, str], value) -> None:
        holder = _add(parent, "VariableValue")
        _add(holder, "VariableRef", targetGUID=variable[0])
        if variable[1] == "Integer":
            _add(holder, "IntegerValue", str(int(value)))
        elif variable[1] == "Float":
            _add(holder, "FloatValue", format(float(value), "f").rstrip("0").rstrip("."))
        else:
            _add(holder, "TextValue", str(value))

    def _cases(self, project: ET.Element, variables: dict[str, tuple[str, str]]) -> None:
        by_respondent = self.comments.groupby("respondent_id", sort=False)
        if not len(self.comments):
            return
        holder = _add(project, "Cases")
        for respondent, answers in by_respondent:
            case = _add(holder, "Case", guid=self.guid("case", str(respondent)),
                        name=str(respondent))
            self._value(case, variables["group"], answers["group"].iloc[0])
            for column, values in self.scores.items():
                if str(respondent) in values:
                    self._value(case, variables[column], values[str(respondent)])
            for comment_id in answers["comment_id"]:
                _add(case, "SourceRef", targetGUID=self.guid("source", str(comment_id)))
            self.summary.cases += 1

    def _sources(self, project: ET.Element, variables: dict[str, tuple[str, str]],
                 decided: dict) -> None:
        if not len(self.comments):
            return
        tags = self.run.tags[["comment_id", "sentence_id", "theme_id"]].drop_duplicates()
        unknown = sorted(set(tags["theme_id"]) - set(self.themes.ids))
        if unknown:
            raise DataError(f"{self.run.folder}: the run tagged themes its theme config "
                            f"{self.run.themes_path} does not define ({', '.join(unknown)}); "
                            "pass --themes with the theme config the run used", code="D092")
        themes_of = tags.groupby("sentence_id")["theme_id"].agg(set).to_dict()
        sentences = self.run.sentences.groupby("comment_id", sort=False)
        holder = _add(project, "Sources")
        for comment in self.comments.itertuples():
            comment_id, text = str(comment.comment_id), str(comment.text)
            guid = self.guid("source", comment_id)
            self.files[f"{guid}.txt"] = text.encode("utf-8")
            source = _add(holder, "TextSource", guid=guid, name=comment_id,
                          plainTextPath=f"{INTERNAL}{guid}.txt", creatingUser=user_guid(None))
            tagged_here = set()
            found = sentences.get_group(comment_id) if comment_id in sentences.groups else ()
            for sentence in (found.itertuples() if len(found) else ()):
                themes = [t for t in self.themes.ids if t in themes_of.get(sentence.sentence_id, ())]
                tagged_here.update(themes)
                kept = [t for t in themes if getattr(decided.get((comment_id, t)), "decision",
                                                     "") != "reject"]
                if kept:
                    self._selection(source, text, comment_id, str(sentence.sentence_id),
                                    (sentence.start, sentence.end), kept, None, decided)
            for theme_id in self.themes.ids:
                made = decided.get((comment_id, theme_id))
                if made is not None and made.decision != "reject" and theme_id not in tagged_here:
                    self._selection(source, text, comment_id, f"{comment_id}:{theme_id}",
                                    (0, len(text)), [theme_id], made, decided)
            self._value(source, variables["question"], comment.question)
            self.summary.sources += 1

    def _selection(self, source: ET.Element, text: str, comment_id: str, key: str,
                   span: tuple[int, int], themes: list[str], added, decided: dict) -> None:
        """A selection of ``text[start:end]`` coding ``themes``: by the machine, or by the
        reviewer whose decision ``added`` it; a reviewer who accepted one of its tags is its
        modifying user."""
        start, end = (int(x) for x in span)
        creator = user_guid(None if added is None else added.reviewer)
        attributes = {"guid": self.guid("selection", key), "name": text[start:end][:60],
                      "startPosition": str(start), "endPosition": str(end),
                      "creatingUser": creator}
        if added is not None and DATE_TIME.fullmatch(added.time):
            attributes["creationDateTime"] = added.time
        accepted = [decided[(comment_id, t)] for t in themes
                    if added is None and getattr(decided.get((comment_id, t)), "decision",
                                                 "") in ("accept", "add")]
        if accepted:
            last = max(accepted, key=lambda d: d.time)
            attributes["modifyingUser"] = user_guid(last.reviewer)
            if DATE_TIME.fullmatch(last.time):
                attributes["modifiedDateTime"] = last.time
        selection = _add(source, "PlainTextSelection", **attributes)
        for theme_id in themes:
            coding = _add(selection, "Coding", guid=self.guid("coding", f"{key}:{theme_id}"),
                          creatingUser=creator)
            _add(coding, "CodeRef", targetGUID=qdc.code_guid(theme_id))
            self.summary.codings += 1


def export_qdpx(run, out: str | Path) -> ExportSummary:
    """Write ``run`` (a finished run folder as ``pipeline.review.run_data.RunData.open`` reads
    it; the caller opens it, so this room imports no higher one) as a REFI-QDA project ``out``
    (atomically); return what it holds."""
    from pipeline.io.writers import write_bytes

    project = _Project(run)
    document = project.build()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(PROJECT_FILE, document),
                           *((f"{SOURCES}/{n}", d) for n, d in sorted(project.files.items()))]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    write_bytes(Path(out), buffer.getvalue())
    return project.summary


# ---------------------------------------------------------------------------------- import
@dataclass(frozen=True)
class SourceText:
    """A text source of a project: its name, text, question (when a ``question`` variable
    gives one) and coded spans (start, end, code GUID)."""

    name: str
    text: str
    question: str
    spans: list[tuple[int, int, str]]


def _bad(path: str | Path, why: str) -> DataError:
    return DataError(f"{path}: not a readable REFI-QDA project ({why}); export it again from "
                     "your QDA tool as a REFI-QDA project (.qdpx) with its sources", code="D091")


def read_project(path: str | Path) -> tuple[list[qdc.FoundCode], list[SourceText]]:
    """The codable codes and the text sources (with their coded spans) of a ``.qdpx``."""
    from pipeline.io.xlsx_reader import MAX_RATIO, MAX_UNCOMPRESSED_BYTES

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES or (
                    total > 10_000_000 and total / max(1, sum(i.compress_size for i in infos))
                    > MAX_RATIO):
                raise _bad(path, f"it would inflate to {total:,} bytes: refused as a possible "
                                 "zip bomb")
            root = ET.fromstring(archive.read(PROJECT_FILE))
            return qdc.read_codes(root, NAMESPACE), _sources_of(root, archive, path)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise _bad(path, f"{exc.__class__.__name__}: {exc}") from None
    except KeyError:
        raise _bad(path, f"no {PROJECT_FILE} in the archive") from None
    except ET.ParseError as exc:
        raise _bad(path, f"{PROJECT_FILE}: {exc}") from None


def _guid(element: ET.Element | None, attribute: str = "targetGUID") -> str:
    """A GUID attribute as lower-case hex without braces (tools write either form)."""
    return "" if element is None else (element.get(attribute) or "").strip("{}").lower()


def _sources_of(root: ET.Element, archive: zipfile.ZipFile, path: str | Path) -> list[SourceText]:
    questions = {_guid(v, "guid"): v.get("name") for v in root.iter(_tag("Variable"))}
    found = []
    for source in root.iter(_tag("TextSource")):
        name = source.get("name") or source.get("guid") or ""
        text = source.findtext(_tag("PlainTextContent"))
        where = source.get("plainTextPath") or ""
        if text is None and where.startswith(INTERNAL):
            try:
                text = archive.read(f"{SOURCES}/{where[len(INTERNAL):]}").decode("utf-8-sig")
            except KeyError:
                raise _bad(path, f"source '{name}': {where} is not in the archive") from None
            except UnicodeDecodeError:
                raise _bad(path, f"source '{name}': {where} is not UTF-8 text") from None
        if text is None:
            raise _bad(path, f"source '{name}' has no plain text inside the archive "
                             f"({where or 'no plainTextPath'})")
        spans = [(0, len(text), _guid(ref))
                 for ref in source.findall(f"{_tag('Coding')}/{_tag('CodeRef')}")]
        for selection in source.findall(_tag("PlainTextSelection")):
            try:
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            except (TypeError, ValueError):
                raise _bad(path, f"source '{name}': a selection without whole-number "
                                 "startPosition and endPosition") from None
            spans += [(min(start, end), max(start, end), _guid(ref))
                      for ref in selection.findall(f"{_tag('Coding')}/{_tag('CodeRef')}")]
        question = next((value.findtext(_tag("TextValue")) or ""
                         for value in source.findall(_tag("VariableValue"))
                         if questions.get(_guid(value.find(_tag("VariableRef")))) == "question"),
                        "")
        found.append(SourceText(name, text, question, spans))
    return found


def import_qdpx_themes(path: str | Path) -> dict:
    """A ``.qdpx`` file's codebook -> the themes.yaml mapping (``version``, ``themes``)."""
    codes, _ = read_project(path)
    return qdc.themes_of(codes, path)


def _code_ids(codes: list[qdc.FoundCode], theme_ids: list[str] | None) -> dict[str, str]:
    """Code GUID -> theme id: the theme whose id the code's GUID was made from (our own
    exports), else the id an import gives the code."""
    by_guid = {qdc.code_guid(t): t for t in theme_ids or []}
    guids = [c.guid.strip("{}").lower() for c in codes]
    return {g: by_guid.get(g, c.theme_id) for g, c in zip(guids, codes, strict=True)}


def sentence_labels(path: str | Path, theme_ids: list[str] | None = None,
                    nlp_model: str = "blank"):
    """One row per sentence of each text source: ``source_number`` (1, 2, ... in document
    order), ``source`` (its name), ``question``, ``sentence_index``, ``start``, ``end``,
    ``text``, ``themes`` (sorted ids of the codes whose selections overlap the sentence by
    more than half). With ``theme_ids``, a code in use that maps to none of them is D020."""
    return _labelled(*read_project(path), theme_ids, nlp_model, path)


def _labelled(codes: list[qdc.FoundCode], sources: list[SourceText], theme_ids: list[str] | None,
              nlp_model: str, path: str | Path):
    import pandas as pd

    from pipeline.text.nlp import split_sentences

    to_theme = _code_ids(codes, theme_ids)
    if theme_ids is not None:
        unknown = sorted({to_theme[g] for s in sources for *_, g in s.spans if g in to_theme}
                         - set(theme_ids))
        if unknown:
            listed = ", ".join(f"'{u}'{did_you_mean(u, theme_ids)}" for u in unknown)
            raise DataError(f"{path}: codes used in the project are not themes of the themes "
                            f"file: {listed}; import them with 'theming themes import' or "
                            "rename the codes", code="D020")
    spans = split_sentences([s.text for s in sources], nlp_model) if sources else []
    rows = []
    for number, (source, found) in enumerate(zip(sources, spans, strict=True), start=1):
        for index, (start, end) in enumerate(found, start=1):
            themes = {to_theme[guid] for a, b, guid in source.spans if guid in to_theme
                      and 2 * max(0, min(end, b) - max(start, a)) > min(end - start, b - a)}
            rows.append((number, source.name, source.question, index, start, end,
                         source.text[start:end], sorted(themes)))
    return pd.DataFrame(rows, columns=["source_number", "source", "question", "sentence_index",
                                       "start", "end", "text", "themes"])


def coded_sources(path: str | Path, theme_ids: list[str], nlp_model: str = "blank"
                  ) -> tuple[list[SourceText], list[set[str]]]:
    """A ``.qdpx``'s text sources and, for each, the themes its sentences are coded with (what
    ``pipeline.evaluation.coded`` reads as coded comments)."""
    codes, sources = read_project(path)
    labels: list[set[str]] = [set() for _ in sources]
    sentences = _labelled(codes, sources, theme_ids, nlp_model, path)
    for number, themes in zip(sentences["source_number"], sentences["themes"], strict=True):
        labels[number - 1].update(themes)
    return sources, labels
