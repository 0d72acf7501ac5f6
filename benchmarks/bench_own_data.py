"""An analyst's own small export: from scratch against --init-from a trained model, by number of lines.

A family of texts the starting model never read stands in for her export:

  terminology  (default) the clinical names of the ICD-10 terminology bank, bare, coded, in
               diagnosis lists and sentences (preprocess/terminology.py): a quarter of the
               shipped data. The starting model is trained here first, on the shipped generator's
               data with that family left out (10,000 texts, as make train; about 17 minutes, kept
               in --base-dir for the next run), so it knows the domain but not these names.
  imaging      the imaging register (CT, MR, ultrasound, barium and X-ray reports of the upper
               tract, the lower tract and the rest of the body: every generator of the shipped
               data named imaging); its starting model is trained the same way without them.
  english      English-language reports (some hospitals write their findings in English; the
               generator writes none), made by a small phrase generator here; the starting model
               is the shipped one, which has never read an English report.

All are labelled by the shipped rule (upper tract 1, lower tract 2, anything else 0). For each N
her N labelled lines are split 8:1:1 as data_transfer.py splits, and main.py trains on them:

  scratch, fixed      from scratch, the schedule as written (80 warm-up steps, as before it was squeezed:
                      --epochs high enough that it fits; early stopping ends the run as before)
  scratch             from scratch, the schedule squeezed into the run (config.SCHEDULE_SHARE)
  init-from           --init-from the starting model
  init-from + mix-in  the same, with as many lines of the starting model's training data mixed in

and each model is scored on 400 lines of the family it never trained on, and
on data/ood_check.txt (does starting from a trained model keep what it knew?).
Prints a markdown table and writes the curve as a PNG. The english family needs
the shipped model (make train). About 40 minutes on 2 cores with the defaults
(the base model included). Runs of a few hundred lines differ by a few points from one draw of
lines and seed to the next: --repeats runs each several times and gives the mean and range.

    python benchmarks/bench_own_data.py [--family terminology|imaging|english] [--sizes 50 100 300 1000] [--repeats 3] [--plot docs/images/own_data.png]
"""
import argparse
import csv
import math
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401

import config  # noqa: E402
import path  # noqa: E402
from benchmarks.common import markdown_table, provenance, run_script  # noqa: E402
from data_process import load_data_or_fail, read_label_names, split_dataset, write_dataset  # noqa: E402
from inference import predict_proba  # noqa: E402
from model import load_trained_or_fail  # noqa: E402
from utils.cli import HelpFormatter, fail, shown_path  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402
from preprocess import synthesize as S, terminology as T  # noqa: E402  (the generator writes the family and the base data)

# --- the held-out family: English-language reports ------------------------------------------

UPPER_PROCEDURES = ['Gastroscopy', 'OGD', 'EGD', 'Upper GI endoscopy', 'Oesophagogastroduodenoscopy',
                    'Upper endoscopy', 'Esophagogastroduodenoscopy']
UPPER_SITES = ['oesophagus', 'esophagus', 'lower oesophagus', 'gastric antrum', 'antrum', 'gastric body', 'fundus',
               'cardia', 'pylorus', 'duodenal bulb', 'second part of the duodenum', 'gastric angle', 'lesser curve',
               'greater curvature', 'stomach', 'gastro-oesophageal junction']
UPPER_FINDINGS = ['erosions', 'a superficial ulcer', 'patchy erythema', 'a 0.5 cm polyp', 'mucosal atrophy',
                  'intestinal metaplasia', 'a healing ulcer', 'varices', 'an irregular mass', 'oedematous mucosa',
                  'a Mallory-Weiss tear', 'a hiatus hernia', 'Barrett\'s segment', 'candida plaques']
UPPER_DIAGNOSES = ['chronic gastritis', 'erosive gastritis', 'reflux oesophagitis LA grade B', 'duodenal ulcer',
                   'gastric ulcer', 'H. pylori gastritis', 'Barrett\'s oesophagus', 'oesophageal varices',
                   'gastric adenocarcinoma', 'atrophic gastritis', 'peptic ulcer disease', 'gastric polyp',
                   'oesophageal candidiasis', 'hiatus hernia with reflux']
LOWER_PROCEDURES = ['Colonoscopy', 'Flexible sigmoidoscopy', 'Lower GI endoscopy', 'Ileocolonoscopy',
                    'Total colonoscopy', 'Proctoscopy']
LOWER_SITES = ['sigmoid colon', 'descending colon', 'transverse colon', 'ascending colon', 'caecum', 'cecum',
               'rectum', 'terminal ileum', 'hepatic flexure', 'splenic flexure', 'rectosigmoid junction',
               'anal canal', 'ileocaecal valve']
LOWER_FINDINGS = ['a 6 mm sessile polyp', 'diverticula', 'a pedunculated polyp', 'an ulcerated mass',
                  'patchy colitis', 'internal haemorrhoids', 'loss of vascular pattern', 'aphthous ulcers',
                  'a lateral spreading tumour', 'melanosis coli', 'an anal fissure', 'angiodysplasia']
LOWER_DIAGNOSES = ['ulcerative colitis', 'Crohn\'s disease of the terminal ileum', 'diverticulosis',
                   'colorectal cancer', 'tubular adenoma', 'internal haemorrhoids', 'rectal cancer',
                   'sigmoid diverticulitis', 'colonic polyps', 'ischaemic colitis', 'irritable bowel syndrome',
                   'anal fissure', 'radiation proctitis']
OTHER_TEXTS = {
    'procedure': ['ERCP', 'CT abdomen', 'Abdominal ultrasound', 'MRCP', 'Chest X-ray', 'Echocardiogram',
                  'Bronchoscopy', 'Cystoscopy', 'CT chest', 'Thyroid ultrasound'],
    'site': ['common bile duct', 'gallbladder', 'liver', 'pancreatic head', 'left kidney', 'right lung',
             'thyroid', 'bladder', 'left ventricle', 'spleen', 'ampulla'],
    'finding': ['a 1 cm stone', 'a hypoechoic lesion', 'mild dilatation', 'a small cyst', 'a nodule',
                'wall thickening', 'no abnormality', 'a filling defect', 'a stricture', 'an effusion'],
    'diagnosis': ['choledocholithiasis', 'acute cholecystitis', 'fatty liver', 'chronic pancreatitis',
                  'hepatocellular carcinoma', 'renal cyst', 'pneumonia', 'thyroid nodule', 'hypertension',
                  'type 2 diabetes', 'cholangiocarcinoma', 'biliary stricture', 'urinary tract infection'],
}
NORMAL = {1: 'The oesophagus, stomach and duodenum are normal', 2: 'Normal colonic mucosa to the caecum'}
OPENERS = ['', 'Findings: ', 'Report: ', 'Indication: dyspepsia. ', 'Indication: screening. ', 'Result: ']


def family_text(rng, label):
    """One report of the English family for label 0, 1 or 2."""
    if label == 0:
        o = OTHER_TEXTS
        forms = [lambda: f"{rng.choice(o['procedure'])}: {rng.choice(o['finding'])} in the {rng.choice(o['site'])}.",
                 lambda: f"Dx: {rng.choice(o['diagnosis'])}; {rng.choice(o['diagnosis'])}.",
                 lambda: f"{rng.choice(o['procedure'])} showed {rng.choice(o['finding'])} of the {rng.choice(o['site'])}, "
                         f"consistent with {rng.choice(o['diagnosis'])}.",
                 lambda: f"Impression: {rng.choice(o['diagnosis'])}. Plan: follow-up in clinic."]
    else:
        procedures = UPPER_PROCEDURES if label == 1 else LOWER_PROCEDURES
        sites = UPPER_SITES if label == 1 else LOWER_SITES
        findings = UPPER_FINDINGS if label == 1 else LOWER_FINDINGS
        diagnoses = UPPER_DIAGNOSES if label == 1 else LOWER_DIAGNOSES
        forms = [lambda: f'{rng.choice(procedures)}: {rng.choice(findings)} in the {rng.choice(sites)}.',
                 lambda: f'{rng.choice(procedures)}: {rng.choice(findings)} in the {rng.choice(sites)}, '
                         f'{rng.choice(findings)} at the {rng.choice(sites)}. Biopsies taken.',
                 lambda: f'Dx: {rng.choice(diagnoses)}.',
                 lambda: f'{rng.choice(procedures)} findings consistent with {rng.choice(diagnoses)}.',
                 lambda: f'{rng.choice(findings).capitalize()} seen in the {rng.choice(sites)}; {rng.choice(diagnoses)}.',
                 lambda: f'{NORMAL[label]}. Conclusion: {rng.choice(diagnoses)}.']
    return rng.choice(OPENERS) + rng.choice(forms)()


def in_family(family, generator, group):
    """Whether a generator of the shipped data (in its group of synthesize.SOURCES) writes the family."""
    if family == 'terminology':
        return any(group is T.GENERATORS[label] for label in T.GENERATORS)
    return family == 'imaging' and 'imaging' in generator.__qualname__


def generated_family_text(family):
    generators = {label: [(w, g) for _, group in groups for w, g in group if in_family(family, g, group)]
                  for label, groups in S.SOURCES.items()}

    def text_of(rng, label):
        """One text of a family of the shipped generator, restyled and checked as the generator does its own."""
        while True:
            text = S.trim(S.restyle(rng, S.weighted(rng, generators[label])(rng)).strip())
            if S.acceptable(text, label):
                return text
    return text_of


FAMILIES = {'terminology': generated_family_text('terminology'), 'imaging': generated_family_text('imaging'),
            'english': family_text}


def family_rows(n, seed, exclude=(), family='english'):
    """n unique (text, label) rows of the family in the shipped data's label shares, none in exclude."""
    rng, rows, seen = random.Random(seed), [], set(exclude)
    for label, share in ((0, 0.38), (1, 0.32), (2, 0.30)):
        made, target = 0, round(n * share)
        while made < target:
            text = FAMILIES[family](rng, label)
            if text not in seen:
                seen.add(text)
                rows.append((text, label))
                made += 1
    random.Random(seed + 1).shuffle(rows)
    return rows


def base_model(base_dir, seed, epochs, family):
    """The starting model of a family of the shipped generator: trained on the shipped generator's data
    without that family, in base_dir (reused when a finished run is there). Returns (weights, its training file)."""
    weights, train_path = os.path.join(base_dir, 'base.h5'), os.path.join(base_dir, 'train.txt')
    if os.path.exists(os.path.join(base_dir, 'log', 'metrics.json')):  # written when the run has finished
        return weights, train_path
    sources = S.SOURCES
    S.SOURCES = {label: [(share, kept) for share, kept in
                         ((share, [(w, g) for w, g in group if not in_family(family, g, group)]) for share, group in groups)
                         if kept] for label, groups in sources.items()}
    try:
        rows = S.synthesize(S.DEFAULT_SIZE, seed)
    finally:
        S.SOURCES = sources
    train, val, test = split_dataset(rows, seed)
    write_dataset(base_dir, {'train': train, 'val': val, 'test': test}, read_label_names(path.LABELS_PATH))
    print(f'training the starting model on {len(rows)} texts without the {family} family ({base_dir})', flush=True)
    run_script(['main.py', '--train', train_path, '--val', os.path.join(base_dir, 'val.txt'),
                '--test', os.path.join(base_dir, 'test.txt'), '--check', '', '--epochs', str(epochs),
                '--seed', str(seed), '--weights', weights, '--log-dir', os.path.join(base_dir, 'log'),
                '--images-dir', os.path.join(base_dir, 'images')])
    return weights, train_path


# --- the runs ---------------------------------------------------------------------------------

VARIANTS = ('scratch, fixed', 'scratch', 'init-from', 'init-from + mix-in')


def train_on(rows, variant, folder, seed, init_from, mix_in, epochs, learning_rate=None):
    """main.py, in a process of its own, on rows split 8:1:1 in folder; (weights, seconds, epochs run)."""
    train, val, test = split_dataset(rows, seed)
    write_dataset(folder, {'train': train, 'val': val, 'test': test}, read_label_names(path.LABELS_PATH))
    if variant == 'scratch, fixed':  # enough epochs that the written schedule fits the run: it is not squeezed
        steps = math.ceil(len(train) / config.SCRATCH_BATCH_SIZE)
        epochs = max(epochs, math.ceil(max(config.SCRATCH_LR_SCHEDULE) / config.SCHEDULE_SHARE / steps))
    argv = ['main.py', '--train', os.path.join(folder, 'train.txt'), '--val', os.path.join(folder, 'val.txt'),
            '--test', os.path.join(folder, 'test.txt'), '--check', '', '--epochs', str(epochs), '--seed', str(seed),
            '--weights', os.path.join(folder, 'model.h5'), '--log-dir', os.path.join(folder, 'log'),
            '--images-dir', os.path.join(folder, 'images')]
    if variant.startswith('init-from'):
        argv += ['--init-from', init_from] + (['--learning-rate', str(learning_rate)] if learning_rate else [])
    if variant.endswith('mix-in'):
        argv += ['--mix-in', mix_in]
    seconds, _, _ = run_script(argv)
    with open(os.path.join(folder, 'log', 'history.csv'), encoding='utf-8') as f:
        epochs_run = len(list(csv.DictReader(f)))
    return os.path.join(folder, 'model.h5'), seconds, epochs_run


def accuracy(weights, rows):
    """(accuracy on rows, the largest share of rows given one class)."""
    model, tokenizer = load_trained_or_fail(weights)
    predicted = predict_proba(model, tokenizer, [text for text, _ in rows]).argmax(axis=1)
    right = sum(int(p) == label for p, (_, label) in zip(predicted, rows))
    return right / len(rows), max(list(predicted).count(k) for k in set(predicted)) / len(rows)


def summary(rows):
    """The repeats of one variant and N: the mean of each figure (the largest class share: the largest),
    and the lowest and highest family accuracy and ood_check."""
    result = {key: sum(row[key] for row in rows) / len(rows) for key in ('family', 'check', 'seconds', 'epochs')}
    result['one_class'] = max(row['one_class'] for row in rows)
    for key in ('family', 'check'):
        result[f'{key}_range'] = (min(row[key] for row in rows), max(row[key] for row in rows))
    return result


def spread(result, key):
    """A figure of the table: the mean, with the repeats' range when there were several."""
    low, high = result[f'{key}_range']
    return f'{result[key]:.4f}' + (f' ({low:.4f}-{high:.4f})' if high > low else '')


def plot(results, sizes, out_path, family, test_lines):
    """Two panels: accuracy on the family's unseen lines (what she asked for) and on ood_check (what the
    model knew before), by N; a point is the mean of the repeats, its bar their range."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from utils.files import atomic_path
    figure, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, key, ylabel in ((axes[0], 'family', f'accuracy on {test_lines} unseen lines of the family'),
                            (axes[1], 'check', f'accuracy on {os.path.basename(path.CHECK_PATH)}')):
        for variant in VARIANTS:
            points = [(n, results[(variant, n)]) for n in sizes if (variant, n) in results]
            if points:
                errors = [[r[key] - r[f'{key}_range'][0] for _, r in points],
                          [r[f'{key}_range'][1] - r[key] for _, r in points]]
                ax.errorbar([n for n, _ in points], [r[key] for _, r in points], yerr=errors, marker='o', capsize=3,
                            label=variant)
        ax.set_xscale('log')
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()  # no 6 x 10^1 between the sizes
        ax.set_xlabel('labelled lines of her own (split 8:1:1)')
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1.02)
        ax.axhline(0.95, color='grey', linewidth=0.8, linestyle=':')
        ax.grid(alpha=0.3)
    axes[0].legend(loc='lower right')
    axes[0].set_title(f'Her new texts ({family})', fontsize=10)
    axes[1].set_title('The reports the starting model knew', fontsize=10)
    figure.tight_layout()
    with atomic_path(out_path) as tmp:
        figure.savefig(tmp, dpi=110, format='png')
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--family', choices=sorted(FAMILIES), default='terminology', help='(default: %(default)s)')
    parser.add_argument('--base-dir', help='the terminology or imaging family\'s starting model, trained there once '
                                           '(default: log/own_data_base_<family>)')
    parser.add_argument('--sizes', type=int, nargs='+', default=[50, 100, 300, 1000], help='labelled lines (default: %(default)s)')
    parser.add_argument('--variants', nargs='+', choices=VARIANTS, default=list(VARIANTS), metavar='VARIANT',
                        help=f"which runs (default: all of {', '.join(repr(v) for v in VARIANTS)})")
    parser.add_argument('--init-from', default=path.WEIGHTS_PATH,
                        help='the english family\'s starting model, the shipped one (default: %(default)s)')
    parser.add_argument('--test-lines', type=int, default=400, help='unseen lines of the family to score on (default: %(default)s)')
    parser.add_argument('--epochs', type=int, default=config.MAX_EPOCHS, help='main.py --epochs (default: %(default)s)')
    parser.add_argument('--learning-rate', type=float,
                        help=f'main.py --learning-rate of the init-from runs (default: main.py\'s, '
                             f'{config.INIT_FROM_LEARNING_RATE:g})')
    parser.add_argument('--seed', type=int, default=config.SEED, help='(default: %(default)s)')
    parser.add_argument('--repeats', type=int, default=1,
                        help='runs of each variant and N, each with other lines of the family and seed (--seed, '
                             '--seed + 1, ...): the table gives their mean and range (default: %(default)s)')
    parser.add_argument('--plot', help='write the curve to this PNG (e.g. docs/images/own_data.png)')
    args = parser.parse_args(argv)
    if args.family == 'english' and not os.path.exists(args.init_from):
        fail(f'{args.init_from} not found: train the shipped model first (make train)')
    if any(n < 10 for n in args.sizes):
        fail('--sizes: at least 10 lines, so that every split gets some')
    if args.repeats < 1:
        fail('--repeats: at least 1')

    check_rows = load_data_or_fail(path.CHECK_PATH, 3)
    mix_in = path.TRAIN_PATH
    if args.family != 'english':
        base_dir = args.base_dir or os.path.join(path.LOG_DIR, f'own_data_base_{args.family}')
        args.init_from, mix_in = base_model(base_dir, args.seed, args.epochs, args.family)
    test_rows = family_rows(args.test_lines, args.seed + 7, family=args.family)
    seeds = [args.seed + r for r in range(args.repeats)]
    # each repeat: her lines drawn with its own seed (never the test lines), and main.py run with it
    pools = {seed: family_rows(max(args.sizes), seed, exclude={text for text, _ in test_rows}, family=args.family)
             for seed in seeds}
    start_family, _ = accuracy(args.init_from, test_rows)
    start_check, _ = accuracy(args.init_from, check_rows)
    runs = {}  # (variant, n) -> one result per repeat
    with tempfile.TemporaryDirectory() as scratch_dir:
        for n in sorted(args.sizes):
            for seed in seeds:
                for variant in args.variants:
                    folder = os.path.join(scratch_dir, f"{n}-{seed}-{variant.replace(' ', '').replace(',', '-')}")
                    weights, seconds, epochs = train_on(pools[seed][:n], variant, folder, seed, args.init_from, mix_in,
                                                        args.epochs, args.learning_rate)
                    family, one_class = accuracy(weights, test_rows)
                    check, _ = accuracy(weights, check_rows)
                    runs.setdefault((variant, n), []).append({'family': family, 'one_class': one_class, 'check': check,
                                                              'seconds': seconds, 'epochs': epochs})
                    print(f'N={n:5d} seed {seed} {variant:20s} family {family:.4f} (largest class share {one_class:.2f}), '
                          f'ood_check {check:.4f}, {epochs} epochs, {seconds:.0f} s', flush=True)
    results = {key: summary(rows) for key, rows in runs.items()}

    print('\n' + provenance(matmul_gflops(), argv))
    print(f'\nthe {args.family} family: {len(test_rows)} unseen lines; the starting model ({shown_path(args.init_from)}) alone scores {start_family:.4f} on them and {start_check:.4f} on '
          f'{shown_path(path.CHECK_PATH)}\n')
    repeated = f' (mean of {args.repeats}; range)' if args.repeats > 1 else ''
    print(markdown_table(['N lines', 'run', f'family accuracy{repeated}', 'largest predicted class', f'ood_check{repeated}',
                          'epochs', 'seconds'],
                         [[str(n), variant, spread(r, 'family'), f"{r['one_class']:.0%}", spread(r, 'check'),
                           f"{r['epochs']:.0f}", f"{r['seconds']:.0f}"]
                          for (variant, n), r in sorted(results.items(), key=lambda item: (item[0][1], VARIANTS.index(item[0][0])))]))
    if args.plot:
        plot(results, sorted(args.sizes), args.plot, args.family, len(test_rows))
        print(f'\nwrote {args.plot}')


if __name__ == '__main__':
    main()
