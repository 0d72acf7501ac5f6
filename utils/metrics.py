"""Accuracy, confusion matrix and per-class precision/recall/F1, in plain numpy."""
import numpy as np

from utils.text import label_title, ljust


def confusion_matrix(y_true, y_pred, num_classes):
    """cm[i, j] = number of texts of true class i predicted as class j."""
    cm = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(cm, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return cm


def per_class_scores(cm):
    """[{precision, recall, f1, support}] per class from a confusion matrix; 0 where undefined."""
    scores = []
    for k in range(len(cm)):
        tp, predicted, support = cm[k, k], cm[:, k].sum(), cm[k, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append({'precision': float(precision), 'recall': float(recall), 'f1': float(f1), 'support': int(support)})
    return scores


def format_report(cm, label_names):
    """The per-class table and accuracy as printable text."""
    scores = per_class_scores(cm)
    lines = [f"{'class':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for k, s in enumerate(scores):
        lines.append(f"{ljust(label_title(label_names, k), 14)}{s['precision']:>10.4f}{s['recall']:>10.4f}{s['f1']:>10.4f}{s['support']:>9d}")
    accuracy = np.trace(cm) / cm.sum() if cm.sum() else 0.0
    macro_f1 = float(np.mean([s['f1'] for s in scores]))
    lines.append(f"{'accuracy':<14}{'':>20}{accuracy:>10.4f}{int(cm.sum()):>9d}")
    lines.append(f"{'macro f1':<14}{'':>20}{macro_f1:>10.4f}")
    lines.append('confusion matrix (rows: true, columns: predicted)')
    lines.append('     ' + ''.join(f'{k:>7}' for k in range(len(cm))))
    for k, row in enumerate(cm):
        lines.append(f'{k:>5}' + ''.join(f'{v:>7d}' for v in row))
    return '\n'.join(lines)


def compare(y_true, y_pred, num_classes):
    """{accuracy, macro_f1, per_class: [{precision, recall, f1, support}]} of one set of guesses."""
    cm = confusion_matrix(y_true, y_pred, num_classes)
    scores = per_class_scores(cm)
    return {'accuracy': float(np.trace(cm) / cm.sum()) if cm.sum() else 0.0,
            'macro_f1': float(np.mean([s['f1'] for s in scores])), 'per_class': scores,
            'confusion_matrix': cm.tolist()}


def format_comparison(results, label_names):
    """A table: one row per classifier of `results` ({name: compare(...)}), accuracy and each class's F1."""
    classes = range(len(label_names))
    width = max(14, *(len(name) + 2 for name in results))
    header = ljust('', width) + f"{'accuracy':>10}" + ''.join(
        f'{"F1 " + str(k):>8}' for k in classes) + f"{'macro F1':>10}"
    lines = [header]
    for name, r in results.items():
        lines.append(ljust(name, width) + f"{r['accuracy']:>10.4f}"
                     + ''.join(f"{r['per_class'][k]['f1']:>8.4f}" for k in classes) + f"{r['macro_f1']:>10.4f}")
    return '\n'.join(lines)


BAD_CASES_HEADER = 'text\tgold\tgold_name\tpredicted\tpredicted_name\tconfidence\n'


def misses(texts, gold, probs):
    """(text, gold, predicted, confidence) of every text the model got wrong, in input order."""
    predicted = np.asarray(probs).argmax(axis=1)
    return [(text, int(g), int(p), float(row[p])) for text, g, p, row in zip(texts, gold, predicted, probs) if g != p]


def bad_cases_tsv(rows, label_names):
    """The lines of a bad-case file (PaddleNLP's bad_case.txt, as TSV): misses, the most confident first,
    so the mistakes the model is surest of (likely mislabelled rows, or a blind spot) come at the top."""
    lines = [BAD_CASES_HEADER]
    for text, gold, predicted, confidence in sorted(rows, key=lambda row: -row[3]):
        lines.append(f'{text}\t{gold}\t{label_names[gold]}\t{predicted}\t{label_names[predicted]}\t{confidence:.6f}\n')
    return lines
