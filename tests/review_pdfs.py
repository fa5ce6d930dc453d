"""Small generated papers for the review matrix: one reports its hardware and code link, one reports neither.

The wording is ordinary methods-section prose, so the answers must be found the way they are in
real papers, not by matching the battery's phrasing.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_paper_pdf

REPORTING_TITLE = "Counting nesting seabirds in drone imagery with a convolutional network"
REPORTING = [
    (
        "Abstract",
        [
            "Colonies of nesting seabirds are hard to count from the ground. We trained a convolutional neural"
            " network to detect and count individual birds in aerial photographs taken by a small drone over"
            " three coastal colonies, and compared its counts with those of expert observers.",
        ],
    ),
    (
        "Data",
        [
            "Between May and July 2022 a quadcopter drone flew 64 transects at 40 m altitude over the colonies."
            " The camera recorded RGB photographs of 5472 by 3648 pixels, which were cut into tiles of 512 by"
            " 512 pixels. Two ornithologists drew a bounding box around every visible bird, giving 18,450"
            " annotated birds in 2,310 tiles.",
            "Tiles were split at random into a training set (70 %), a validation set (15 %) and a test set"
            " (15 %), keeping all tiles of one transect in the same set.",
        ],
    ),
    (
        "Model and training",
        [
            "We fine-tuned a Faster R-CNN detector with a ResNet-50 backbone pre-trained on ImageNet. Training"
            " images were flipped horizontally and vertically and their brightness was varied by up to 20 %."
            " The network was optimised with stochastic gradient descent with a learning rate of 0.005, a batch"
            " size of 8 and weight decay of 0.0005 for 30 epochs; training stopped early when the validation"
            " loss had not improved for five epochs.",
            "The model was implemented in PyTorch 1.12. Models were trained on an NVIDIA RTX 3090 GPU with"
            " 24 GB of memory; one training run took about four hours.",
        ],
    ),
    (
        "Evaluation",
        [
            "Detections were matched to annotated birds at an intersection over union of 0.5. We report"
            " precision, recall and the F1 score on the test tiles, and the relative error of the colony counts"
            " against the observers' counts. The detector reached a precision of 0.93 and a recall of 0.89.",
        ],
    ),
    (
        "Code availability",
        [
            "Code is available at https://github.com/example/repo under the MIT licence, together with the"
            " trained weights.",
        ],
    ),
]

SILENT_TITLE = "Seasonal activity of pollinators in alpine meadows"
SILENT = [
    (
        "Abstract",
        [
            "We describe how the activity of flower-visiting insects changes over the short alpine summer,"
            " using repeated transect walks on six meadows between 1,900 and 2,400 m above sea level.",
        ],
    ),
    (
        "Study sites",
        [
            "The six meadows lie on limestone and are grazed by cattle every second year. Each meadow was"
            " divided into four plots of 10 by 10 m, and flowering plants were counted in every plot once a"
            " week from June to September.",
        ],
    ),
    (
        "Field protocol",
        [
            "On each visit an observer walked a fixed 50 m transect through every plot for ten minutes and"
            " recorded every insect that touched the reproductive parts of a flower. Bumblebees, solitary bees,"
            " hoverflies and butterflies were identified in the field; other visitors were recorded by order."
            " Walks took place between 10:00 and 16:00 on dry days with little wind.",
        ],
    ),
    (
        "Results",
        [
            "Visits peaked in the second half of July on all meadows. Bumblebees made up more than half of all"
            " visits above 2,200 m, while hoverflies dominated the lower meadows. The timing of the peak"
            " followed snowmelt by about five weeks.",
        ],
    ),
    (
        "Discussion",
        [
            "Pollinator activity at high elevation is tied closely to the date of snowmelt, so earlier melting"
            " may shift the season of flower visits. Longer series of observations are needed to separate"
            " this effect from differences between years.",
        ],
    ),
]

THIRD_TITLE = "Classifying bat calls from ultrasonic recordings"
THIRD = [
    (
        "Abstract",
        [
            "Passive acoustic monitoring produces more bat calls than experts can label. We classify the calls"
            " of eleven bat species from ultrasonic recordings with a small recurrent network.",
        ],
    ),
    (
        "Recordings",
        [
            "Automatic ultrasonic detectors recorded at 384 kHz on twelve forest sites for two summers. Calls"
            " were cut from the recordings and turned into spectrograms of 128 frequency bins. Experts labelled"
            " 9,600 calls to species.",
        ],
    ),
    (
        "Network",
        [
            "A two-layer LSTM read the spectrogram column by column. It was trained with the Adam optimiser,"
            " a learning rate of 0.001 and dropout of 0.3 for 40 epochs in TensorFlow 2.9. Accuracy and"
            " macro-averaged F1 score were computed with five-fold cross-validation.",
            "All recordings and labels are archived at https://zenodo.org/record/1234567.",
        ],
    ),
]


def make_reporting_paper(path: Path) -> Path:
    """States its GPU ("an NVIDIA RTX 3090 GPU") and its code link (https://github.com/example/repo)."""
    return write_paper_pdf(path, REPORTING_TITLE, "Ada Fulmar, Ben Gannet", REPORTING)


def make_silent_paper(path: Path) -> Path:
    """A field study: no hardware, no code, no link."""
    return write_paper_pdf(path, SILENT_TITLE, "Cleo Bombus", SILENT)


def make_third_paper(path: Path) -> Path:
    """Names its framework and a data link but no GPU and no code link."""
    return write_paper_pdf(path, THIRD_TITLE, "Dan Myotis", THIRD)


def make_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_reporting_paper(folder / "a_seabirds.pdf"),
        make_silent_paper(folder / "b_pollinators.pdf"),
        make_third_paper(folder / "c_bats.pdf"),
    ]
