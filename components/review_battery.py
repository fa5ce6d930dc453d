"""Choosing a question battery, and creating, editing, importing and exporting the user's own.

Saving, importing and deleting run as button callbacks: they change the chosen battery before the
picker is drawn again, which Streamlit does not allow once a widget is on the page.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from papertrail.export import escape_markdown, safe_filename
from papertrail.review import (
    Battery,
    BatteryError,
    all_batteries,
    battery_to_csv,
    battery_to_text,
    delete_battery,
    parse_battery_file,
    parse_battery_text,
    save_battery,
)
from papertrail.settings import Settings

CHOICE = "review_battery"
_MESSAGE = "review_battery_message"
_IMPORT = "review_battery_import"


def _editor_keys(battery: Battery) -> tuple[str, str]:
    # Keyed by content so the editor shows the battery just chosen or just saved.
    return f"review_edit_name_{battery.fingerprint}", f"review_edit_text_{battery.fingerprint}"


def _lines(battery: Battery) -> str:
    return "\n".join(f"{item.key}: {item.question}" for item in battery.items)


def _store(settings: Settings, make: Callable[[], Battery], verb: str) -> None:
    try:
        battery = make()
        save_battery(settings, battery)
    except BatteryError as err:
        st.session_state[_MESSAGE] = ("error", str(err))
        return
    st.session_state[CHOICE] = battery.name
    st.session_state[_MESSAGE] = ("success", f"{verb} “{battery.name}” ({len(battery.items)} questions).")


def _save_edit(settings: Settings, battery: Battery) -> None:
    name_key, text_key = _editor_keys(battery)
    _store(settings, lambda: parse_battery_text(st.session_state[text_key], st.session_state[name_key]), "Saved")


def _import(settings: Settings) -> None:
    upload = st.session_state.get(_IMPORT)
    if upload is None:
        st.session_state[_MESSAGE] = ("error", "Choose a .txt or .csv file to import first.")
        return
    _store(settings, lambda: parse_battery_file(upload.name, upload.getvalue()), "Imported")


def _delete(settings: Settings, battery: Battery) -> None:
    delete_battery(settings, battery.name)
    st.session_state.pop(CHOICE, None)
    st.session_state[_MESSAGE] = ("success", f"Deleted “{battery.name}”.")


def battery_picker(settings: Settings) -> Battery:
    batteries = {b.name: b for b in all_batteries(settings)}
    if st.session_state.get(CHOICE) not in batteries:
        st.session_state[CHOICE] = next(iter(batteries))
    name = st.selectbox(
        "Question battery",
        list(batteries),
        key=CHOICE,
        format_func=lambda n: f"{n} (built-in)" if batteries[n].builtin else n,
        help="The questions asked of every paper; each becomes a column of the matrix.",
    )
    return batteries[name]


def battery_editor(settings: Settings, battery: Battery) -> None:
    """An expander to edit (or copy) the chosen battery, import one from a file, or export it."""
    kind, message = st.session_state.pop(_MESSAGE, (None, ""))
    with st.expander("Edit, import or export batteries", icon=":material/edit_note:", expanded=kind is not None):
        if kind == "error":
            st.error(escape_markdown(message), icon=":material/error:")
        elif kind:
            st.success(escape_markdown(message), icon=":material/check_circle:")
        edit, upload, download = st.tabs(["Edit", "Import", "Export"])
        with edit:
            name_key, text_key = _editor_keys(battery)
            default_name = f"{battery.name} (my copy)" if battery.builtin else battery.name
            st.text_input("Battery name", value=default_name, key=name_key, max_chars=80)
            st.text_area(
                "Questions, one per line",
                value=_lines(battery),
                key=text_key,
                height=280,
                help="Write “key: question” (the key is the column label, e.g. hardware) or just the question.",
            )
            with st.container(horizontal=True):
                st.button(
                    "Save battery",
                    icon=":material/save:",
                    type="primary",
                    on_click=_save_edit,
                    args=(settings, battery),
                )
                if not battery.builtin:
                    st.button("Delete battery", icon=":material/delete:", on_click=_delete, args=(settings, battery))
            if battery.builtin:
                st.caption(
                    "The built-in checklist cannot be changed; saving stores your edited copy under its own name."
                )
        with upload:
            st.file_uploader(
                "A battery file",
                type=["txt", "csv"],
                key=_IMPORT,
                help="Plain text: one question per line, optionally “key: question”. CSV: key,question.",
            )
            st.button("Import battery", icon=":material/upload_file:", on_click=_import, args=(settings,))
        with download, st.container(horizontal=True):
            st.download_button(
                "Plain text",
                data=battery_to_text(battery),
                file_name=safe_filename(battery.name, ".txt"),
                mime="text/plain",
                icon=":material/description:",
                on_click="ignore",
            )
            st.download_button(
                "CSV",
                data=battery_to_csv(battery),
                file_name=safe_filename(battery.name, ".csv"),
                mime="text/csv",
                icon=":material/table:",
                on_click="ignore",
            )
