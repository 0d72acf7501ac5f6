"""Predict labels for many text files with Apache Beam: RunInference on the DirectRunner here, or on
Flink, Spark or Dataflow (needs `make scale`, which installs apache-beam).

    python batch_predict.py                                   # data/test.txt -> log/batch_predict/pred-00000-of-00001-test.tsv
    python batch_predict.py --input 'exports/*.txt' --output out/pred --format jsonl --precision int8
    python batch_predict.py --input 'exports/*.txt' --output out/pred --direct_num_workers 2 --direct_running_mode multi_processing
    python batch_predict.py --input 'gs://bucket/in/*.txt' --output gs://bucket/out/pred --runner DataflowRunner --project P ...

Every input line is read as predict.py reads it (a text, or text<TAB>label;
an empty line stops the run with the file and line unless --skip-empty), and
every output row is predict.py's row for that text: the same TSV columns
(header in every file) or JSONL fields, the same --min-confidence column.

The output keeps the input order: files in the order --input names them (a
glob's files by name), lines in file order, --shard-lines lines of one input
file per output file, PREFIX-00000-of-0000N-<input name>.tsv and on, and
PREFIX-manifest.tsv lists them with their input files. Concatenating the files
in name order (TSV: each file's header aside) gives predict.py's output for the
inputs one after another: a user reads or joins it line for line with the input
as with predict.py, whatever the runner. The run writes its files in a
temporary folder beside PREFIX and moves them into place only once every one is
written, PREFIX-manifest.tsv last: an earlier output at PREFIX stays whole until
then (a killed run's local folder is removed by the next run). As with predict.py, the
earlier output is replaced (its files that this run does not write again are
removed, and stderr says so), and an input file is never written over.

Any option this script does not know goes to Beam as a pipeline option
(--runner, --direct_num_workers, --direct_running_mode, --temp_location, ...).
Beam's log, its worker processes' too, shows only with --verbose; an error is one line.
The model is loaded once per worker process (float32; --precision int8 for the
TensorFlow Lite copy). A labelled input gets its accuracy printed; the Beam
counters give the number of texts, unsure texts and skipped lines. On a
cluster, the workers need this project, its requirements and the weights at the
--weights path (a shared folder or a custom container): the model is read from
a local file; the inputs and outputs may be on any Beam filesystem.
"""
import argparse
import contextlib
import io
import logging
import os
import re
import shutil
import sys
import uuid
import warnings

from data_process import DataError, TextFile, cannot_read, check_readable


class QuietBeam(logging.Filter):
    """Beam's log lines that say nothing to a user: apitools (BigQuery) missing; memory not measured
    (2.77 imports torch with the resource module, so without torch it thinks there is none); the
    traceback of a bad input line, which main() prints in one line."""

    def filter(self, record):
        error, message = record.exc_info[1] if record.exc_info else None, record.getMessage()
        return not (isinstance(error, DataError) or 'DataError: ' in message
                    or message.startswith(('apitools not found', 'Resource module is not available')))


# a filter sees only the records of its own logger
for _name in ('', 'apache_beam.runners.common', 'apache_beam.runners.worker.sdk_worker',
              'apache_beam.runners.portability.local_job_service'):
    logging.getLogger(_name).addFilter(QuietBeam())

from utils.cli import HelpFormatter, at_least, fail, probability, shown_path  # noqa: E402

try:
    import apache_beam as beam
    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.metrics.metric import Metrics, MetricsFilter
    from apache_beam.ml.inference.base import KeyedModelHandler, ModelHandler, PredictionResult, RunInference
    from apache_beam.options.pipeline_options import PipelineOptions
except ImportError as e:  # an optional dependency
    if __name__ != '__main__':
        raise
    fail(f'batch_predict.py needs Apache Beam ({e}): run make scale, which installs requirements-scale.txt')

import config  # noqa: E402
import glob  # noqa: E402
import path  # noqa: E402
from inference import ConversionError, MissingModelError, check_tracts, load_predictor, named_tracts  # noqa: E402
from utils.files import (OverwriteError, UnwritableError, check_not_an_input, check_writable, new_temp_folder,  # noqa: E402
                         writer_alive)
from utils.compat import quiet_stderr  # noqa: E402
from utils.predictions import accuracy_line, report_counts, truncated, unsure, write_header, write_output  # noqa: E402

NAMESPACE = 'batch_predict'
DEFAULT_OUTPUT = os.path.join(path.LOG_DIR, 'batch_predict', 'pred')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', nargs='+', default=[path.TEST_PATH],
                        help='UTF-8 files or globs, one text per line (text<TAB>label works too) (default: %(default)s)')
    parser.add_argument('--output', default=DEFAULT_OUTPUT,
                        help='prefix of the output files: PREFIX-00000-of-00001-<input name>.tsv ... and '
                             'PREFIX-manifest.tsv (default: %(default)s)')
    parser.add_argument('--format', choices=['tsv', 'jsonl'], default='tsv', help='output format (default: %(default)s)')
    parser.add_argument('--shard-lines', type=at_least(1), default=config.PREDICT_CHUNK_TEXTS,
                        help='input lines per output file at most (default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1), default=config.PREDICT_BATCH_SIZE,
                        help='texts per model call (default: %(default)s)')
    parser.add_argument('--beam-batch-size', type=at_least(1), default=8 * config.PREDICT_BATCH_SIZE,
                        help='texts per RunInference batch, sorted by length into model calls of --batch-size '
                             '(default: %(default)s)')
    parser.add_argument('--precision', choices=config.PRECISIONS, default='float32',
                        help='int8: TensorFlow Lite with int8 matrix products (default: %(default)s)')
    parser.add_argument('--min-confidence', type=probability, metavar='P',
                        help='mark texts whose top probability is below P as unsure (column/field "unsure")')
    parser.add_argument('--tracts', action='store_true',
                        help='also predict each clause and add a column "tracts": 1, 2, 1+2 when the text names both '
                             'tracts, or empty, as predict.py --tracts (the shipped classes only)')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained weights (default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='config and vocab.txt, used only when the weights have none saved beside them (default: %(default)s)')
    parser.add_argument('--verbose', action='store_true',
                        help="show Apache Beam's log (its worker processes' too) and the traceback of an unexpected error")
    args, beam_args = parser.parse_known_args(argv)
    unknown = unknown_beam_options(beam_args)
    if unknown:  # Beam would only log that it discards them
        parser.error(f"unrecognized arguments (neither this script's nor Beam's): {' '.join(unknown)}")
    return args, beam_args


def unknown_beam_options(beam_args):
    """The flags of beam_args that no Beam pipeline option knows."""
    options = PipelineOptions(beam_args)
    logging.disable(logging.WARNING)  # 'Discarding unparseable args': said here in one line instead
    try:
        known = options.get_all_options()
    finally:
        logging.disable(logging.NOTSET)
    return [f'--{name}' for name in options.get_all_options(retain_unknown_options=True) if name not in known]


class TextClassifier(ModelHandler):
    """RunInference's handler: the trained model, loaded once per worker, gives each text its probabilities
    (and, with tracts, the tracts its clauses name: inference.named_tracts)."""

    def __init__(self, weights, albert_dir, precision, batch_size, beam_batch_size, tracts=False):
        # a fixed RunInference batch: larger than a model call, so that predict_proba's sort by length
        # has texts of similar length to put together (less padding)
        super().__init__(min_batch_size=beam_batch_size, max_batch_size=beam_batch_size)
        self.weights, self.albert_dir, self.precision, self.batch_size = weights, albert_dir, precision, batch_size
        self.tracts = tracts

    def load_model(self):
        return load_predictor(self.weights, self.albert_dir, self.precision)

    def run_inference(self, batch, model, inference_args=None):
        probs = model.predict_proba(batch, self.batch_size)
        named = named_tracts(model, batch, self.batch_size) if self.tracts else [None] * len(batch)
        return [PredictionResult(text, (row, both)) for text, row, both in zip(batch, probs, named)]

    def get_num_bytes(self, batch):
        return sum(len(text.encode('utf-8')) for text in batch)

    def get_metrics_namespace(self):
        return NAMESPACE


class ReadTexts(beam.DoFn):
    """A file's name -> ((file number, text number, label or None), text), parsed by data_process.TextFile,
    whose DataError names the file and line. The name is opened as it is, never matched again as a glob
    (report [2024].txt names no file as a pattern, bracket[1].txt names bracket1.txt)."""

    def __init__(self, file_numbers, num_classes, skip_empty):
        self.file_numbers, self.num_classes, self.skip_empty = file_numbers, num_classes, skip_empty
        self.skipped = Metrics.counter(NAMESPACE, 'skipped_empty_lines')

    def process(self, name):
        try:
            stream = FileSystems.open(name)
        except OSError as e:  # BeamIOError is one too
            raise cannot_read(name, e) from None
        reader = TextFile(name, self.num_classes, self.skip_empty, stream)
        for index, (text, label) in enumerate(reader):
            yield (self.file_numbers[name], index, label), text
        self.skipped.inc(reader.skipped)


class FormatRow(beam.DoFn):
    """((file, index, label), prediction) -> ((file, shard), (index, predict.py's output row)), counted."""

    def __init__(self, fmt, label_names, min_confidence, maxlen, shard_lines):
        self.fmt, self.label_names, self.min_confidence = fmt, label_names, min_confidence
        self.maxlen, self.shard_lines = maxlen, shard_lines
        self.counters = {name: Metrics.counter(NAMESPACE, name)
                         for name in ('texts', 'labelled', 'correct', 'unsure', 'too_long', 'both_tracts')}

    def process(self, element):
        (file_number, index, label), result = element
        row, both = result.inference
        probs = row[None, :]
        out = io.StringIO()
        write_output(out, [result.example], probs, self.fmt, self.label_names, self.maxlen, self.min_confidence,
                     None if both is None else [both])
        counts = {'texts': 1, 'labelled': label is not None, 'correct': label == probs[0].argmax(),
                  'unsure': bool(unsure(probs, self.min_confidence)[0]),
                  'too_long': truncated(result.example, self.maxlen), 'both_tracts': both == '1+2'}
        for name, count in counts.items():
            self.counters[name].inc(int(count))
        yield (file_number, index // self.shard_lines), (index, out.getvalue())


class WriteShard(beam.DoFn):
    """(shard key, its rows) -> one output file, named by the key's place among all the keys and by its
    input file; written whole under the staging prefix (moved to the output prefix once every file is),
    on any Beam filesystem. Yields the file's line of the manifest: output, input, texts."""

    def __init__(self, prefix, staged, suffix, header, files):
        self.prefix, self.staged, self.suffix, self.header, self.files = prefix, staged, suffix, header, files

    def setup(self):
        self.places = None

    def process(self, element, keys):
        if self.places is None:  # the same keys for every element: sorted once
            self.places = {key: k for k, key in enumerate(sorted(keys))}
        key, rows = element
        name = shard_name(self.prefix, self.suffix, self.places[key], len(self.places), self.files[key[0]])
        rows = sorted(rows)
        write_whole(self.staged + name[len(self.prefix):], [self.header] + [row for _, row in rows])
        yield f'{name}\t{self.files[key[0]]}\t{len(rows)}\n'


def write_whole(name, pieces):
    """Write the text pieces to a file beside name and rename it there when whole, on any Beam filesystem."""
    temp = f'{name}.tmp-{uuid.uuid4().hex}'
    try:
        with FileSystems.create(temp, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            for piece in pieces:
                f.write(piece.encode('utf-8'))
        FileSystems.rename([temp], [name])
    finally:
        if FileSystems.exists(temp):
            delete_files([temp])


def shard_name(prefix, suffix, shard, total, source):
    """PREFIX-00000-of-00004-<the input file's name, without its extension>.SUFFIX: the number first, so
    that the files in name order are the inputs in order."""
    stem = re.sub(r'[^\w.-]+', '_', os.path.splitext(os.path.basename(source.rstrip('/')))[0]) or 'input'
    return f'{prefix}-{shard:05d}-of-{total:05d}-{stem}{suffix}'


def manifest_path(prefix):
    return f'{prefix}-manifest.tsv'


def write_manifest(lines, prefix):
    """PREFIX-manifest.tsv: each output file of the run (in name order), its input file and its number of
    texts; written when every file is, so it names a complete set (moved into place last: switch)."""
    write_whole(manifest_path(prefix), ['output\tinput\ttexts\n', *sorted(lines)])


def read_manifest(prefix):
    """The output files a run's manifest names."""
    with FileSystems.open(manifest_path(prefix)) as f:
        return [line.split('\t')[0] for line in f.read().decode('utf-8').splitlines()[1:] if line]


def match_inputs(patterns):
    """The files the --input patterns name, in their order (a glob's files by name), each once;
    DataError for a pattern that names none. A name that exists is that file, even with glob
    characters in it (the shell has already expanded a glob into names such as report [2024].txt)."""
    files = []
    for pattern in patterns:
        matched = [pattern] if FileSystems.exists(pattern) else sorted(matching(pattern))
        found = [name for name in matched if not os.path.isdir(name)]  # (local) folders: no texts to read
        if not found:
            raise DataError(f'{pattern}: ' + ('is a folder, not a file' if matched else 'no such file'))
        for name in found:
            if '://' not in name:  # a local file that cannot be read stops the run before the pipeline
                check_readable(name)
        files.extend(name for name in found if name not in files)
    # one file under two spellings (a.txt, ./a.txt, a link to it) is read once, under its first
    seen, once = set(), []
    for name in files:
        key = os.path.realpath(name) if '://' not in name else name
        if key not in seen:
            seen.add(key)
            once.append(name)
    return once


def matching(pattern):
    """Beam's FileSystems.match of one pattern, without its warning about glob.escape's [[]."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        return [m.path for m in FileSystems.match([pattern])[0].metadata_list]


def delete_files(paths):
    """Delete these files (Beam reads the names it deletes as patterns: a [ in one must be escaped)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        FileSystems.delete([glob.escape(p) for p in paths])


def new_staging(prefix):
    """A folder beside the prefix for this run's files, moved into place only once the set is complete.
    A local one carries this process's id: the next run at the prefix removes it once the process is gone
    (killed). Returns (the folder, the staging prefix: the folder and the prefix's file name part)."""
    if '://' in prefix:
        parent, name = prefix.rsplit('/', 1)
        folder = f'{parent}/.{name}.tmp-{uuid.uuid4().hex}'
    else:
        folder, name = new_temp_folder(prefix), os.path.basename(prefix)
    return folder, FileSystems.join(folder, name)


def journal_path(prefix):
    return f'{prefix}-manifest.tsv.switching'


def switch(staged, prefix, earlier):
    """Move the complete set at the staging prefix onto the prefix. A journal naming the staging prefix
    and the earlier files to remove is written first, so that a run killed while the files move is
    finished by the next run (finish_switch), and a manifest always names a whole set. Returns (the
    output files, the earlier files removed: those the new set does not write again)."""
    outputs = read_manifest(staged)
    stale = sorted(set(earlier) - set(outputs))
    write_whole(journal_path(prefix), [staged + '\n', *(name + '\n' for name in stale)])
    move_into_place(staged, prefix, outputs, stale)
    return outputs, stale


def move_into_place(staged, prefix, outputs, stale):
    """The moves of switch, each skipped when done already: the earlier manifest goes, the files move,
    the earlier files the set does not replace go, the new manifest moves in last, then the journal goes."""
    if FileSystems.exists(manifest_path(prefix)):
        delete_files([manifest_path(prefix)])
    moving = [name for name in outputs if FileSystems.exists(staged + name[len(prefix):])]
    if moving:
        FileSystems.rename([staged + name[len(prefix):] for name in moving], moving)
    gone = [name for name in stale if FileSystems.exists(name)]
    if gone:
        delete_files(gone)
    FileSystems.rename([manifest_path(staged)], [manifest_path(prefix)])
    delete_files([journal_path(prefix)])


def finish_switch(prefix):
    """If a run was killed while it moved its complete set into place (its journal is there), finish the
    move, so that the prefix holds that whole set; True if there was one to finish. A move whose own run
    is still going is left to it."""
    journal = journal_path(prefix)
    if not FileSystems.exists(journal):
        return False
    with FileSystems.open(journal) as f:
        staged, *stale = f.read().decode('utf-8').splitlines()
    if '://' not in staged and writer_alive(os.path.dirname(staged), prefix):
        return False
    if not FileSystems.exists(manifest_path(staged)):  # the new manifest was moved: only the journal was left
        delete_files([journal])
        return False
    move_into_place(staged, prefix, read_manifest(staged), stale)
    if '://' not in staged:
        shutil.rmtree(os.path.dirname(staged), ignore_errors=True)
    return True


def leftover_temps(prefix):
    """The temporary files that killed runs left beside the prefix: earlier versions' shards
    (PREFIX-00000-of-00030-NAME.tsv.tmp-<hex>, PREFIX-manifest.tsv.tmp-<hex>) and a journal's."""
    ours = re.compile(re.escape(prefix)
                      + r'-(\d{5}-of-\d{5}(-[\w.-]+)?\.(tsv|jsonl)|manifest\.tsv(\.switching)?)\.tmp-[0-9a-f]{32}')
    return sorted(p for p in matching(glob.escape(prefix) + '-*.tmp-*') if ours.fullmatch(p))


def earlier_output(prefix, suffix):
    """The files of an earlier run at exactly this prefix and format (PREFIX-NNNNN-of-NNNNN[-NAME].SUFFIX)."""
    ours = re.compile(re.escape(prefix) + r'-\d{5}-of-\d{5}(-[\w.-]+)?' + re.escape(suffix))
    return sorted(p for p in matching(glob.escape(prefix) + '-' + '[0-9]' * 5 + '-of-' + '[0-9]' * 5 + '*' + suffix)
                  if ours.fullmatch(p))


def build(pipeline, args, files, label_names, maxlen, staged):
    """The pipeline: read the files, predict, format, group into shards in input order, write them and
    the manifest under the staging prefix."""
    handler = KeyedModelHandler(TextClassifier(args.weights, args.albert_dir, args.precision, args.batch_size,
                                               args.beam_batch_size, args.tracts))
    shards = (pipeline
              | 'Files' >> beam.Create(files)
              | 'Read' >> beam.ParDo(ReadTexts({name: k for k, name in enumerate(files)}, len(label_names),
                                               args.skip_empty))
              | 'Spread' >> beam.Reshuffle()  # else one worker reads a file and predicts all of it
              | 'Predict' >> RunInference(handler)
              | 'Format' >> beam.ParDo(FormatRow(args.format, label_names, args.min_confidence, maxlen,
                                                 args.shard_lines))
              | 'Shard' >> beam.GroupByKey())
    keys = shards | 'Keys' >> beam.Keys() | 'AllKeys' >> beam.combiners.ToList()
    header = io.StringIO()
    write_header(header, args.format, label_names, args.min_confidence, args.tracts)
    written = shards | 'Write' >> beam.ParDo(WriteShard(args.output, staged, '.' + args.format,
                                                        header.getvalue(), files),
                                             beam.pvalue.AsSingleton(keys))
    return (written | 'AllWritten' >> beam.combiners.ToList()
            | 'Manifest' >> beam.Map(write_manifest, staged))


def data_error(exception):
    """The one-line DataError message inside a runner's exception (which may wrap it in its own), or None."""
    while exception is not None:
        if isinstance(exception, DataError):
            return str(exception)
        exception = exception.__cause__ or exception.__context__
    return None


def counter(result, name):
    """A counter's committed value; None when the runner reports none (then nothing is judged by it)."""
    found = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE).with_name(name))['counters']
    values = [c.committed for c in found]
    return None if None in values else int(sum(values))


def check_prefix(output):
    """--output is a prefix of file names: one ending in a folder ('', 'out/', '.') would put the files
    beside that folder, under its name."""
    if not output:
        fail("--output '': an empty prefix; give a prefix of file names, e.g. out/pred")
    if output.rsplit('/', 1)[-1] in ('', '.', '..'):
        fail(f'--output {output!r}: names a folder, not a prefix of file names; add one, e.g. '
             f"{output.rstrip('/')}/pred")


def quiet_beam(verbose, beam_args):
    """Beam's log only under --verbose: this process's loggers, and the worker processes' level as a pipeline
    option (unless given). Returns the pipeline options."""
    logging.getLogger('apache_beam').setLevel(logging.NOTSET if verbose else logging.CRITICAL)
    if not verbose and not any(a.startswith('--default_sdk_harness_log_level') for a in beam_args):
        beam_args = [*beam_args, '--default_sdk_harness_log_level', 'CRITICAL']
    return PipelineOptions(beam_args)


def last_line(exception):
    """An exception's message in one line: its last (a runner puts a worker's traceback before it), without
    the step Beam adds."""
    lines = [line.strip() for line in str(exception).splitlines() if line.strip()] or [type(exception).__name__]
    return re.sub(r" \[while running '.*'\]$", '', lines[-1])


def main(argv=None):
    args, beam_args = parse_args(argv)
    check_prefix(args.output)
    try:
        pipeline = beam.Pipeline(options=quiet_beam(args.verbose, beam_args))  # a bad --runner stops here
    except Exception as e:  # noqa: BLE001 (Beam raises ValueError, ImportError, ... for its options)
        if args.verbose:
            raise
        fail(f'Beam: {last_line(e)}')
    args.output = os.path.abspath(args.output) if '://' not in args.output else args.output
    suffix = '.' + args.format
    try:
        if finish_switch(args.output):
            print(f'finished moving the output of an interrupted run into place at {shown_path(args.output)} '
                  f'({shown_path(manifest_path(args.output))} lists it)', file=sys.stderr)
        files = match_inputs(args.input)
        earlier = earlier_output(args.output, suffix)
        check_not_an_input([*earlier, manifest_path(args.output)], files)
        if '://' not in args.output:
            check_writable([os.path.dirname(args.output)])
        trained = load_predictor(args.weights, args.albert_dir, args.precision).model  # a bad model stops here
    except (DataError, OverwriteError, UnwritableError, MissingModelError, ConversionError) as e:
        fail(e)
    if args.tracts:
        try:
            check_tracts(trained.label_names)
        except ValueError as e:
            fail(f'--tracts: {args.weights}: {e}')
    # workers started by the runner (multi_processing, the portable runners) import this project's modules
    os.environ['PYTHONPATH'] = os.pathsep.join(filter(None, [path.ROOT, os.environ.get('PYTHONPATH')]))
    leftovers = leftover_temps(args.output)
    if leftovers:
        delete_files(leftovers)
    staging, staged = new_staging(args.output)
    try:
        build(pipeline, args, files, trained.label_names, trained.maxlen, staged)
        try:
            # the DirectRunner's worker processes (multi_processing) write their log and TensorFlow's
            # straight to this process's stderr, some of it before any level is set
            with contextlib.nullcontext() if args.verbose else quiet_stderr():
                result = pipeline.run()
                result.wait_until_finish()
        except Exception as e:  # noqa: BLE001 (runners wrap a worker's exception in their own)
            message = data_error(e) or next((line.strip() for line in str(e).splitlines() if 'DataError: ' in line),
                                            None)
            if message is not None:
                fail(re.sub(r" \[while running '.*'\]$", '', message.split('DataError: ', 1)[-1]))  # Beam adds the step
            if args.verbose:
                raise
            fail(f'the pipeline failed: {last_line(e)} (--verbose shows Beam\'s log and the traceback)')
        outputs, stale = switch(staged, args.output, earlier)
    finally:
        if '://' not in staging and not FileSystems.exists(journal_path(args.output)):  # else the next run finishes the move
            shutil.rmtree(staging, ignore_errors=True)
    if stale:
        print(f'replaced an earlier output at {shown_path(args.output)}: removed {len(stale)} of its files', file=sys.stderr)
    counts = {name: counter(result, name) for name in
              ('texts', 'labelled', 'correct', 'unsure', 'too_long', 'skipped_empty_lines', 'both_tracts')}
    if None in counts.values():
        print(f'wrote {len(outputs)} files ({shown_path(manifest_path(args.output))} lists them); this runner '
              f'reports no committed counters to count texts by', file=sys.stderr)
        return
    written, texts, labelled = len(outputs), counts['texts'], counts['labelled']
    print(f'wrote {texts} predictions of {len(files)} input file{"s" * (len(files) != 1)} to {written} '
          f'file{"s" * (written != 1)}: {shown_path(outputs[0])}' + (' ...' if written > 1 else '')
          + f'; which input each holds: {shown_path(manifest_path(args.output))}')
    report_counts(counts['skipped_empty_lines'], counts['too_long'], trained.maxlen, counts['unsure'], texts,
                          args.min_confidence)
    if args.tracts:
        print(f"{counts['both_tracts']} of {texts} texts name both tracts (tracts 1+2)", file=sys.stderr)
    if labelled == texts:
        print(accuracy_line(counts['correct'], texts))
    elif labelled:
        print(f'no accuracy report: {texts - labelled} of {texts} texts have no valid label', file=sys.stderr)


if __name__ == '__main__':
    main()
