"""Two generated papers for the answering tests, written the way methods sections are.

FROGS reports its training hardware, training time, a results table, a code link and a negative
result; KELP names its optimizer (Adam) but gives no learning rate and no hardware. The background
prose pushes the methods onto page 2, so that page numbers and word boxes are really checked.
"""

from __future__ import annotations

import html
from pathlib import Path

import pymupdf

FROGS_TITLE = "Acoustic monitoring of tree frogs with a convolutional network"
KELP_TITLE = "Mapping kelp forests from satellite images with a U-Net"

_BACKGROUND = [
    "Amphibians are declining worldwide, and monitoring their populations is a priority for conservation.",
    "Passive acoustic monitoring records the calls of frogs without disturbing them, night after night.",
    "Manual listening does not scale to thousands of hours of recordings, so automated detectors are needed.",
    "Earlier detectors relied on hand-crafted features such as spectral peaks and call repetition rates.",
    "Deep learning has since replaced many of these pipelines in bioacoustics and in ecology at large.",
    "Convolutional networks trained on spectrograms now detect birds, bats and insects in field recordings.",
    "Transfer from large audio collections helps when only few labelled calls are available for a species.",
    "Field recordings are noisy: rain, wind, traffic and other animals overlap with the calls of interest.",
    "A detector must therefore be evaluated on recordings from places it has never heard during training.",
    "Open code and data make such evaluations repeatable by other groups working on other species.",
]

FROGS_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Abstract",
        [
            "We present a convolutional network that detects the advertisement calls of two tree frog species"
            " in passive acoustic recordings and evaluate it on sites that were not used for training."
        ],
    ),
    (
        "1. Introduction",
        [" ".join(_BACKGROUND[i:] + _BACKGROUND[:i]) for i in (0, 3, 6, 2, 5, 8)],
    ),
    (
        "2. Data",
        [
            "We recorded 1,250 hours of audio at 14 ponds between March and June 2021. Two observers labelled"
            " every call in 300 randomly chosen minutes. The test recordings were taken from four ponds that"
            " were not used for training.",
        ],
    ),
    (
        "3. Methods",
        [
            "Recordings were cut into clips of two seconds and converted into mel spectrograms with 128 bands."
            " The classifier was trained on a single NVIDIA GeForce RTX 3090 GPU for 40 epochs with a batch"
            " size of 64. Training took 14 hours. We applied time shifts and added background noise to the"
            " training clips as data augmentation.",
            "The code is available at https://github.com/example/frogcalls under an open licence.",
        ],
    ),
    (
        "4. Results",
        [
            "Data augmentation did not improve the F1 score on the test ponds. Table 2 gives the detection"
            " performance for each species on the test ponds.",
        ],
    ),
]
FROGS_TABLE = (
    "Table 2: Detection performance per species on the test ponds.",
    ["Species", "Precision", "Recall", "F1"],
    [["Hyla arborea", "0.91", "0.87", "0.89"], ["Rana temporaria", "0.84", "0.79", "0.81"]],
)

KELP_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Abstract",
        [
            "Kelp forests shelter fish and store carbon. We map their extent along a rocky coast from"
            " multispectral satellite images with a U-Net segmentation model."
        ],
    ),
    (
        "2. Methods",
        [
            "Images were tiled into patches of 256 by 256 pixels and labelled by two divers who knew the coast."
            " The U-Net was trained with the Adam optimizer until the validation loss stopped improving."
            " Predictions were smoothed with a median filter before the kelp area was computed."
            " We fixed the random seeds of every run so that the maps can be reproduced.",
        ],
    ),
    (
        "3. Results",
        ["The model mapped 312 hectares of kelp, with an intersection over union of 0.74 on held-out tiles."],
    ),
]

_CSS = (
    "body {font-family: sans-serif; font-size: 10pt; line-height: 1.3} h1 {font-size: 17pt} h2 {font-size: 12pt}"
    " table {border-collapse: collapse} td, th {padding: 2pt 8pt; text-align: left}"
)


def _html(title: str, sections: list[tuple[str, list[str]]], table=None) -> str:
    body = f"<h1>{html.escape(title)}</h1><p>A. Author, B. Author</p>"
    for heading, paragraphs in sections:
        body += f"<h2>{html.escape(heading)}</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if table is not None:
        caption, header, rows = table
        body += f"<p>{html.escape(caption)}</p><table>"
        body += "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
        for row in rows:
            body += "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        body += "</table>"
    return body


def write_pdf(path: Path, body: str) -> Path:
    story = pymupdf.Story(html=body, user_css=_CSS)
    page_rect = pymupdf.paper_rect("a4")
    writer = pymupdf.DocumentWriter(str(path))
    more = True
    while more:
        device = writer.begin_page(page_rect)
        more, _ = story.place(page_rect + (60, 60, -60, -60))
        story.draw(device)
        writer.end_page()
    writer.close()
    return path


def make_frogs(path: Path) -> Path:
    return write_pdf(path, _html(FROGS_TITLE, FROGS_SECTIONS, FROGS_TABLE))


def make_kelp(path: Path) -> Path:
    return write_pdf(path, _html(KELP_TITLE, KELP_SECTIONS))


def find_on_page(pdf: Path, text: str) -> tuple[int, pymupdf.Rect]:
    """The 1-based page and rectangle where text is printed (first hit)."""
    with pymupdf.open(pdf) as doc:
        for page in doc:
            hits = page.search_for(text)
            if hits:
                return page.number + 1, hits[0]
    raise AssertionError(f"{text!r} is not printed in {pdf}")
