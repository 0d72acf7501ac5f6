"""The phrase banks of the synthetic data: the clinical words and phrases, as JSON files in this folder.

The Python of preprocess/ builds the sentences: which bank a phrase is drawn from, how
often, in what order and with what around it. The banks only hold the phrases:

- fields.json: the values of textgen's {field}s that are one phrase of a list;
- upper_walk, upper_endoscopy, upper_traps, lower_walk, lower_endoscopy, lower_traps,
  ercp, neither_lines, zero_traps: synthesize.py's endoscopy and ERCP texts;
- tract_banks, tract_bank_frames: registers.py's register lines filled from one bank per
  tract (BANK_GENERATORS);
- case_frames, and per tract (upper_, lower_) cases, diagnoses, scans, pathology, lay,
  studies, hard and lower_preparation: registers.py's clinical cases, scans and studies
  (CASE_GENERATORS);
- whole_body_organs, whole_body_lines: whole_body.py, label 0 outside the digestive tract.

A bank is a list of phrases, or an object of named lists (and of objects of them). A
phrase fills its {name} fields when drawn; in the scan banks, '@name' stands for one of
the bank's shared modality lists or site sets. A list's order and its repeats are part of
the data: a phrase is drawn by its position, and one written twice is drawn twice as
often, so that one seed always gives the same texts.
"""
import json
import os

FOLDER = os.path.dirname(os.path.abspath(__file__))


def load_bank(name):
    """What preprocess/banks/<name>.json holds."""
    with open(os.path.join(FOLDER, name + '.json'), encoding='utf-8') as f:
        return json.load(f)
