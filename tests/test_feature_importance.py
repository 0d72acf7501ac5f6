"""attribution.py and feature_importance.py: Integrated Gradients on a tiny model, keyword extraction, heatmaps, errors."""
import os
import string
import warnings

import numpy as np
import pytest
import tensorflow as tf

import attribution as A
import feature_importance as FI
import model as M
import inference
import path
from conftest import LABELS, TEXTS, TOY_LABEL_NAMES, write_rows
from data_process import encode
from utils.text import is_layout


@pytest.fixture
def trained(trained_tiny):
    return trained_tiny


def test_the_forward_from_embeddings_reproduces_the_classifier(trained):
    model, tokenizer, _ = trained
    token_ids, segment_ids = encode(TEXTS, tokenizer)
    embeddings = model.get_layer(M.TOKEN_EMBEDDING)(token_ids)
    from_embeddings = inference.albert_forward(model)(token_ids, segment_ids, embeddings)
    np.testing.assert_allclose(from_embeddings, model.predict_on_batch([token_ids, segment_ids]), atol=1e-6)
    # the embeddings given are the ones used: the texts' own, moved, change the output
    moved = inference.albert_forward(model)(token_ids, segment_ids, embeddings * 0.5)
    assert np.abs(moved - from_embeddings).max() > 1e-3


@pytest.mark.parametrize('method', A.FIXED_METHODS)
def test_path_weights_integrate_to_one(method):
    for steps in (2, 5, 20):
        alphas, weights = A.path_points(steps, method)
        assert weights.sum() == pytest.approx(1.0)
        assert alphas.min() >= 0 and alphas.max() <= 1
    # the quadrature is exact for a straight line: integral of a over [0, 1] is 1/2
    alphas, weights = A.path_points(20, method)
    assert (weights * alphas).sum() == pytest.approx(0.5)


def test_gauss_lobatto_is_exact_for_polynomials_up_to_degree_2m_minus_3():
    alphas, weights = A.path_points(5, 'gausslobatto')
    assert alphas[0] == 0 and alphas[-1] == 1  # the ends are path points: f(x) and f(baseline) come free
    for degree in range(2 * 5 - 2):
        assert (weights * alphas ** degree).sum() == pytest.approx(1 / (degree + 1))
    assert (weights * alphas ** (2 * 5 - 2)).sum() != pytest.approx(1 / (2 * 5 - 1))


@pytest.mark.parametrize('method', A.METHODS)
def test_every_method_gives_the_same_ends_and_adds_up(trained, method):
    model, tokenizer, _ = trained
    results = A.explain(model, tokenizer, TEXTS, steps=50, method=method, batch_rows=200)
    probs = inference.predict_proba(model, tokenizer, TEXTS)
    for r, p in zip(results, probs):
        np.testing.assert_allclose(r['probs'], p, atol=1e-5)  # f(x) from the path's last row or the extra pass
        assert r['predicted'] == r['target'] == int(np.argmax(p))
        assert r['gap'] < 1e-2


def test_warped_points_crowd_where_f_changes_and_still_cover_the_path():
    flat_then_step = np.array([[0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.9, 1.0, 1.0]])  # f turns within 2 of 8 stretches
    alphas, weights = A.warped_points(flat_then_step, 10, floor=0.3)
    assert alphas.shape == weights.shape == (1, 10) and np.all(np.diff(alphas) > 0)
    assert 0 < alphas.min() and alphas.max() < 1
    moving, flat = ((alphas >= 5 / 8) & (alphas <= 7 / 8)).sum() / (2 / 8), (alphas < 5 / 8).sum() / (5 / 8)
    assert moving > 2 * flat and flat > 0   # points crowd where f moves, and the flat stretch keeps some
    assert weights.sum() == pytest.approx(1.0)  # each point stands for the path it covers
    # f moving evenly: evenly spaced midpoints of equal weight
    alphas, weights = A.warped_points(np.linspace(0, 1, 9)[None], 4)
    np.testing.assert_allclose(alphas[0], [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(weights[0], 0.25)


def test_warped_points_leave_a_smaller_gap_than_even_ones_at_few_steps(trained):
    model, tokenizer, _ = trained
    warped, even = (A.explain(model, tokenizer, TEXTS, steps=4, method=method) for method in ('warped', 'gausslegendre'))
    assert np.mean([r['gap'] for r in warped]) < np.mean([r['gap'] for r in even])  # both 4 midpoints; warped's where f moves
    for w, e in zip(warped, even):  # the ends warped takes from its forward scan are the float32 pass's
        np.testing.assert_allclose(w['probs'], e['probs'], atol=1e-6)
        assert (w['f_x'], w['f_baseline'], w['target']) == pytest.approx((e['f_x'], e['f_baseline'], e['target']), abs=1e-6)


def test_attributions_add_up_at_50_steps(trained):
    model, tokenizer, _ = trained
    results = A.explain(model, tokenizer, TEXTS, steps=50, batch_rows=64)
    gaps = [r['gap'] for r in results]
    assert max(gaps) < 1e-2, gaps
    # not trivially small: the model's output really moves between baseline and text
    assert np.mean([abs(r['f_x'] - r['f_baseline']) for r in results]) > 0.1
    for r in results:
        assert r['predicted'] == r['target'] == int(np.argmax(r['probs']))
        assert len(r['scores']) == len(r['text'])


def test_a_bfloat16_path_keeps_float32s_ends_and_nearly_its_scores(trained):
    model, tokenizer, _ = trained
    exact = A.explain(model, tokenizer, TEXTS, steps=20, precision='float32')
    fast = A.explain(model, tokenizer, TEXTS, steps=20, precision='bfloat16')
    differences = []
    for e, f in zip(exact, fast):
        # f(x), f(baseline) and the class come from a float32 pass of the two ends: prediction's own
        np.testing.assert_allclose(f['probs'], e['probs'], atol=1e-6)
        assert f['f_baseline'] == pytest.approx(e['f_baseline'], abs=1e-6) and f['target'] == e['target']
        differences.append(np.abs(np.subtract(f['scores'], e['scores'])).max())
    # bfloat16 keeps 8 bits of mantissa: scores within a few percent of the largest, and not the same
    # (of the largest over all texts: a text the model reads almost as its baseline has only tiny scores)
    largest = max(np.abs(e['scores']).max() for e in exact)
    assert 0 < max(differences) / largest < 0.05, differences


def test_auto_precision_is_bfloat16_only_where_the_cpu_has_it(monkeypatch):
    monkeypatch.setattr(inference, 'native_bfloat16', lambda: False)
    assert inference.ig_dtype('auto') == tf.float32
    monkeypatch.setattr(inference, 'native_bfloat16', lambda: True)
    assert inference.ig_dtype('auto') == tf.bfloat16 and inference.ig_dtype('float32') == tf.float32
    with pytest.raises(ValueError, match='unknown precision'):
        inference.ig_dtype('float16')


def test_few_steps_leave_a_larger_gap_than_many(trained):
    model, tokenizer, _ = trained
    coarse = np.mean([r['gap'] for r in A.explain(model, tokenizer, TEXTS, steps=2, method='trapezoid')])
    fine = np.mean([r['gap'] for r in A.explain(model, tokenizer, TEXTS, steps=50, method='trapezoid')])
    assert fine < coarse


@pytest.mark.slow
def test_texts_over_the_gap_are_explained_again_with_twice_the_steps(trained):
    model, tokenizer, _ = trained
    coarse = A.explain(model, tokenizer, TEXTS, steps=2, method='trapezoid')
    max_gap = float(np.median([r['gap'] for r in coarse]))  # about half the texts are over it
    rounds = []
    refined = A.explain(model, tokenizer, TEXTS, steps=2, method='trapezoid', max_gap=max_gap, max_steps=16,
                        new_round=lambda count, steps: rounds.append((count, steps)))
    over = [c['gap'] > max_gap for c in coarse]
    assert 0 < sum(over) < len(TEXTS)
    assert rounds[0] == (sum(over), 4) and [steps for _, steps in rounds] == [4, 8, 16][:len(rounds)]
    assert np.mean([r['gap'] for r in refined]) < np.mean([c['gap'] for c in coarse])
    for c, r, was_over in zip(coarse, refined, over):
        if not was_over:
            assert r['steps'] == 2 and r['scores'] == c['scores']
            continue
        assert r['steps'] > 2 and r['gap'] < c['gap']  # a round's result is kept only when its gap is smaller
        again = A.explain(model, tokenizer, [r['text']], steps=r['steps'], method='trapezoid')[0]
        np.testing.assert_allclose(r['scores'], again['scores'], atol=1e-5)  # the same as asking for those steps


def test_target_explains_the_given_class_and_batching_does_not_change_results(trained):
    model, tokenizer, _ = trained
    one_batch = A.explain(model, tokenizer, TEXTS[:6], steps=10, target=2, batch_rows=1000)
    one_each = A.explain(model, tokenizer, TEXTS[:6], steps=10, target=2, batch_rows=1)
    for a, b in zip(one_batch, one_each):
        assert a['target'] == b['target'] == 2
        assert a['f_x'] == pytest.approx(a['probs'][2], abs=1e-6)
        np.testing.assert_allclose(a['scores'], b['scores'], atol=1e-5)


def test_contrast_attributions_add_up_to_the_difference_of_two_classes(trained):
    model, tokenizer, _ = trained
    # float32: in bfloat16 the three backward passes round differently, and linearity holds only to 1e-3
    contrast = A.explain(model, tokenizer, TEXTS, steps=50, target=1, contrast=2, batch_rows=200, precision='float32')
    upper = A.explain(model, tokenizer, TEXTS, steps=50, target=1, batch_rows=200, precision='float32')
    lower = A.explain(model, tokenizer, TEXTS, steps=50, target=2, batch_rows=200, precision='float32')
    for c, u, low in zip(contrast, upper, lower):
        assert c['f_x'] == pytest.approx(c['probs'][1] - c['probs'][2], abs=1e-6)
        assert c['attribution_sum'] == pytest.approx(c['f_x'] - c['f_baseline'], abs=1e-2)  # completeness
        # IG is linear in f: explaining p(1) - p(2) is explaining p(1) minus explaining p(2)
        np.testing.assert_allclose(c['scores'], np.subtract(u['scores'], low['scores']), atol=1e-4)


def test_contrast_on_the_command_line(trained, tmp_path, capsys):
    _, _, weights = trained
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS[:6], LABELS[:6])))
    common = ['--input', source, '--weights', weights, '--steps', '4', '--heatmaps', '0',
              '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')]
    FI.main([*common, '--contrast', '2', '0'])
    assert 'explaining p(2 下消化道) - p(0 其他): why 下消化道 rather than 其他' in capsys.readouterr().out
    for bad in (['--contrast', '1', '1'], ['--contrast', '1', '2', '--target', '1']):
        with pytest.raises(SystemExit) as stop:
            FI.main([*common, *bad])
        assert stop.value.code == 2 and '--contrast A B takes two different classes' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        FI.main([*common, '--contrast', '1', '3'])
    assert '--contrast 1 3: the model at' in capsys.readouterr().err


def test_char_scores_follow_word_pieces_and_skip_spaces(trained):
    _, tokenizer, _ = trained
    text = '胆 ERCP'
    tokens = tokenizer.tokenize(text)
    attributions = np.arange(len(tokens), dtype=float)  # token i scores i
    chars, scores = A.char_scores(text, tokenizer, attributions)
    assert chars == list(text)
    assert scores[0] == 1.0 and scores[1] == 0.0  # 胆 is token 1 ([CLS] is 0); the space has no token
    assert all(s >= 2 for s in scores[2:])  # ERCP's characters carry their word pieces' scores


def test_scale_scores_keeps_only_positive_evidence():
    np.testing.assert_allclose(A.scale_scores([-2.0, 0.0, 1.0, 4.0]), [0, 0, 0.25, 1])
    np.testing.assert_array_equal(A.scale_scores([-1.0, -3.0]), [0, 0])


def test_a_one_character_text_can_be_a_keyword():
    np.testing.assert_array_equal(A.scale_scores([0.7]), [1])  # its only score is its top score
    np.testing.assert_array_equal(A.scale_scores([0.5, 0.5]), [1, 1])
    np.testing.assert_array_equal(A.scale_scores([0.0]), [0])
    assert spans(['痔'], A.scale_scores([0.3])) == ['痔']
    np.testing.assert_array_equal(A.scale_scores([]), [])
    np.testing.assert_allclose(A.scale_scores([0.5, 1.0, 0.75]), [0, 1, 0.5])  # true min-max when all are positive


def spans(chars, scaled, threshold=0.2, extracts_max=False):
    return [''.join(chars[a:b]) for a, b in A.span_ranges(chars, scaled, threshold, extracts_max)]


def test_spans_threshold_and_extracts_max():
    chars = list('胃窦粘膜充血，直肠')
    scaled = np.array([0.9, 0.5, 0.1, 0.1, 0.3, 0.2, 0.05, 1.0, 0.19])
    assert spans(chars, scaled, 0.2) == ['胃窦', '充血', '直']
    assert spans(chars, scaled, 0.5) == ['胃窦', '直']
    assert spans(chars, scaled, 0.2, extracts_max=True) == ['直']
    assert spans(chars, np.zeros(len(chars)), 0.2) == []
    assert spans(list('食管'), np.array([1.0, 1.0]), 0.2) == ['食管']  # run to the end
    # a span keyword scores the mean of its characters' scaled scores (text_keywords, unit 'span')
    keywords = A.text_keywords({'chars': chars, 'scores': list(scaled)}, unit='span')
    assert keywords[0][:2] == ('胃窦', pytest.approx(np.mean(A.scale_scores(scaled)[:2])))


def test_keyword_table_counts_per_predicted_class():
    results = [{'chars': list('胃炎'), 'scores': [1.0, 0.0], 'predicted': 1},
               {'chars': list('胃窦'), 'scores': [2.0, 0.1], 'predicted': 1},
               {'chars': list('胃肠减压'), 'scores': [1.0, 1.0, 0.0, 0.0], 'predicted': 0}]
    rows = A.keyword_table(results, 3, threshold=0.2)
    assert rows[0][:4] == ('胃', 2, [0, 2, 0], 1.0)
    assert ('胃肠', 1, [1, 0, 0], 1.0) == next(row for row in rows if row[0] == '胃肠')[:4]
    # share: 胃's positive attribution (1 + 2) of all positive attribution (1 + 2.1 + 2)
    assert rows[0][4] == pytest.approx(3 / 5.1)
    # the keywords each text was found to have, given, make the same table (a file's per-class tables reuse them)
    found = [A.text_keywords(r, 'span', 0.2) for r in results]
    assert A.keyword_table(results, 3, keywords=found) == rows
    assert A.keyword_table(results[:2], 3, keywords=found[:2]) == A.keyword_table(results[:2], 3, threshold=0.2)


def test_word_scores_sum_their_characters_exactly():
    text = '距肛缘15cm乙状结肠见息肉，十二指肠乳头开口'
    scores = np.random.default_rng(0).normal(size=len(text))
    result = {'chars': list(text), 'scores': list(scores), 'predicted': 2}
    segmenter = A.word_segmenter()
    ranges = A.word_ranges(text, segmenter)
    assert ''.join(text[a:b] for a, b in ranges) == text  # the words cover the text, in order
    everything = A.text_keywords(result, 'word', threshold=0.0, segmenter=segmenter)
    for keyword, _, attribution in everything:
        a, b = next((a, b) for a, b in ranges if text[a:b] == keyword)
        assert attribution == pytest.approx(scores[a:b].sum(), abs=1e-12)
    assert sum(attribution for _, _, attribution in everything) == pytest.approx(scores.sum())


def test_dictionary_terms_stay_whole_words():
    segmenter = A.word_segmenter()
    text = '十二指肠球部溃疡，贲门齿状线清，回盲瓣呈唇形，乙状结肠息肉，肝曲憩室，ERCP取石，距门齿30cm'
    words = {text[a:b] for a, b in A.word_ranges(text, segmenter)}
    assert {'贲门', '齿状线', '回盲瓣', '乙状结肠', '肝曲', 'ERCP', '距门齿'} <= words
    assert '十二指肠球部溃疡' in words or '十二指肠' in words


def test_word_unit_keeps_the_word_whole_where_spans_cut_it():
    text = '十二指肠球部溃疡'  # 十 scores high, 二指肠 low: the span is a fragment, the word is whole
    result = {'chars': list(text), 'scores': [1.0, 0.05, 0.05, 0.05, 0.0, 0.0, 0.3, 0.3], 'predicted': 1}
    assert [k for k, _, _ in A.text_keywords(result, 'span', 0.2, extracts_max=True)] == ['十']
    top_word = A.text_keywords(result, 'word', 0.2, extracts_max=True)[0][0]
    assert top_word.startswith('十二指肠')
    assert [k for k, _, _ in A.text_keywords(result, 'char', 0.2)] == ['十', '溃', '疡']


def test_punctuation_keywords_are_flagged_as_shortcuts():
    assert is_layout('：') and is_layout('。') and is_layout('12.5') and is_layout('，；')
    assert not is_layout('：食') and not is_layout('胃') and not is_layout('cm')
    rows = [('胃', 9, [0, 9, 0], 0.8, 0.5), ('：', 5, [0, 5, 0], 0.4, 0.1), ('食管', 4, [0, 4, 0], 0.7, 0.2)]
    assert FI.shortcuts(rows) == ['：']


def test_heatmap_renders_chinese_with_a_cjk_font(tmp_path):
    from matplotlib import font_manager
    from utils.plotting import use_cjk_font
    name = use_cjk_font()
    assert 'CJK' in name
    assert 'NotoSansCJK' in font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    text = '肛门通过顺利，距肛缘15cm乙状结肠见一0.5cm息肉，予圈套摘除。' * 2
    result = {'chars': list(text), 'scores': list(np.linspace(-1, 1, len(text))), 'predicted': 2, 'target': 2,
              'probs': [0.01, 0.01, 0.98], 'gap': 0.003}
    out = tmp_path / 'images' / 'sample1.png'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        FI.plot_heatmap(result, TOY_LABEL_NAMES, str(out))
    assert not [w for w in caught if 'missing from font' in str(w.message)]
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    from matplotlib import image
    height, width = image.imread(str(out)).shape[:2]
    assert width < 3 * height * 4 and width < 2500, 'a long text must wrap instead of making one wide strip'


@pytest.mark.slow
def test_cli_writes_tables_report_and_heatmaps(trained, tmp_path, capsys):
    _, _, weights = trained
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, LABELS)))
    FI.main(['--input', source, '--weights', weights, '--steps', '8', '--heatmaps', '2', '--top', '5',
             '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    out = capsys.readouterr().out
    assert 'completeness gap' in out and 'top 5 keywords over 30 texts (words, threshold 0.2; keywords of punctuation' in out
    header, *rows = (tmp_path / 'log' / 'keywords.tsv').read_text(encoding='utf-8').splitlines()
    assert header == 'keyword\tcount\tcount_0\tcount_1\tcount_2\tmean_score\tshare'
    assert rows and all(int(r.split('\t')[1]) == sum(map(int, r.split('\t')[2:5])) for r in rows)
    report = (tmp_path / 'log' / 'feature_importance.html').read_text(encoding='utf-8')
    assert report.count('data-i=') == 30 and 'src=' not in report and 'http' not in report  # self-contained
    assert sorted(os.listdir(tmp_path / 'img')) == ['keywords_0.png', 'keywords_1.png', 'keywords_2.png',
                                                    'sample1.png', 'sample2.png']
    assert report.count('<h3>Texts predicted ') == 3  # a keyword table per predicted class
    assert len((tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()) == 31
    # a later run with fewer heatmaps leaves no picture of the earlier run to be mistaken for its own
    FI.main(['--input', source, '--weights', weights, '--steps', '4', '--heatmaps', '1', '--limit', '5',
             '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    assert sorted(os.listdir(tmp_path / 'img')) == ['keywords_0.png', 'keywords_1.png', 'keywords_2.png', 'sample1.png']
    assert 'sample2.png of an earlier run' in capsys.readouterr().out


def test_a_file_over_the_exact_limit_gets_a_quick_pass_and_exact_heatmap_texts(trained, tmp_path, capsys,
                                                                               monkeypatch):
    _, _, weights = trained
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, LABELS)))
    monkeypatch.setattr(FI.config, 'IG_EXACT_TEXTS', 20)  # the 30 texts are a large file
    argv = ['--input', source, '--weights', weights, '--heatmaps', '2', '--log-dir', str(tmp_path / 'log'),
            '--images-dir', str(tmp_path / 'img')]

    def steps_and_gaps():
        rows = (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()[1:]
        return [int(row.split('\t')[7]) for row in rows], [float(row.split('\t')[6]) for row in rows]
    FI.main(argv)
    out = capsys.readouterr().out
    assert out.startswith('30 texts: the keyword tables come from a quick pass of 6 points a text')
    assert 'completeness gap |sum of attributions - (f(x) - f(baseline))| over 2 heatmap texts' in out
    steps, gaps = steps_and_gaps()
    heatmap_texts = FI.pick_samples([{'predicted': int(row.split('\t')[1])} for row in
                                     (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()[1:]],
                                    2, 3)
    # the heatmap texts explained to the gap (20 steps or more), the others at the quick pass's 6 points
    assert all((steps[i] >= 20 and gaps[i] <= 0.05) == (i in heatmap_texts) for i in range(30))
    assert all(steps[i] == 6 for i in range(30) if i not in heatmap_texts)
    quick_scores = (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8')
    # --exact, or any of --steps, --method, --max-gap: every text explained to the gap
    for extra in (['--exact'], ['--steps', '20'], ['--max-gap', '0.05']):
        FI.main(argv + extra)
        assert 'quick pass' not in capsys.readouterr().out
        steps, gaps = steps_and_gaps()
        assert min(steps) >= 20 and max(gaps) <= 0.05
    assert (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8') != quick_scores
    monkeypatch.setattr(FI.config, 'IG_EXACT_TEXTS', 1000)
    FI.main(argv + ['--quick', '--limit', '5'])  # a small file, quick because asked
    assert capsys.readouterr().out.startswith('5 texts: the keyword tables come from a quick pass')
    with pytest.raises(SystemExit):
        FI.main(argv + ['--quick', '--exact'])
    assert 'not allowed with argument' in capsys.readouterr().err


def test_heatmap_lines_pick_the_texts_and_an_input_named_like_an_old_heatmap_is_kept(trained, tmp_path, capsys):
    _, _, weights = trained
    images = tmp_path / 'img'
    images.mkdir()
    source = images / 'sample2.png'  # an input named like an earlier run's second heatmap
    write_rows(source, list(zip(TEXTS[:6], LABELS[:6])))
    common = ['--input', str(source), '--weights', weights, '--steps', '4', '--max-gap', '0',
              '--log-dir', str(tmp_path / 'log'), '--images-dir', str(images)]
    FI.main([*common, '--heatmap-lines', '5'])
    assert source.exists() and 'kept' in capsys.readouterr().out
    attributions = (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()
    assert len(attributions) == 7 and (images / 'sample1.png').exists()
    for bad, message in ((['--heatmap-lines', '7'], '--heatmap-lines 7: '), (['--heatmap-lines', '0'], 'expected line numbers')):
        with pytest.raises(SystemExit):
            FI.main([*common, *bad])
        assert message in capsys.readouterr().err


def test_plain_titles_and_layout_keywords_kept_out_of_the_tables():
    result = {'predicted': 1, 'target': 1, 'contrast': None, 'probs': [0.03, 0.93, 0.04]}
    assert FI.heatmap_title(result, TOY_LABEL_NAMES) == 'Predicted: 上消化道 (93%)'
    assert FI.heatmap_title({**result, 'target': 2}, TOY_LABEL_NAMES) == 'Predicted: 上消化道 (93%); shaded: the evidence for 下消化道'
    rows = [('胃', 5, [0, 5, 0], 0.9, 0.1), ('；', 4, [4, 0, 0], 0.3, 0.01), ('10', 3, [3, 0, 0], 0.3, 0.01), ('右', 2, [2, 0, 0], 0.5, 0.01)]
    assert [row[0] for row in FI.content_rows(rows, show_layout=False)] == ['胃', '右']
    assert FI.content_rows(rows, show_layout=True) == rows and FI.shortcuts(rows) == ['；', '10']


@pytest.mark.slow
def test_cli_says_which_texts_took_more_steps(trained, tmp_path, capsys):
    _, _, weights = trained
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, LABELS)))
    argv = ['--input', source, '--weights', weights, '--method', 'trapezoid', '--steps', '2', '--limit', '6',
            '--heatmaps', '0', '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')]
    FI.main(argv + ['--max-gap', '1e-9', '--max-steps', '4'])  # no text adds up that closely at 4 steps
    out = capsys.readouterr().out
    header, *rows = (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()
    assert header.split('\t')[7] == 'steps'
    steps = [row.split('\t')[7] for row in rows]
    assert set(steps) <= {'2', '4'} and '4' in steps  # a text keeps the result of smaller gap
    kept = f", {steps.count('2')} kept their 2-step result, of smaller gap" if '2' in steps else ''
    assert (f"6 texts had a gap over 1e-09 at 2 steps and were explained again: {steps.count('4')} took 4 steps"
            f'{kept}\n') in out
    assert '6 texts still have a gap over 1e-09 (--max-steps gives them more)' in out
    FI.main(argv + ['--max-gap', '1e-9', '--max-steps', '3'])  # 2 x 2 steps is over 3: no second round
    out = capsys.readouterr().out
    assert 'were explained again' not in out
    assert '6 texts still have a gap over 1e-09 (--max-steps 3 is below twice --steps 2, so none was explained again' in out
    FI.main(argv + ['--max-gap', '0'])  # never again
    out = capsys.readouterr().out
    assert 'explained again' not in out and 'still have' not in out
    with pytest.raises(SystemExit):
        FI.main(argv + ['--max-gap', '-1'])
    assert '--max-gap must be 0 or more' in capsys.readouterr().err


@pytest.mark.slow
def test_cli_precision_chooses_the_paths_matrix_products(trained, tmp_path, capsys):
    model, tokenizer, weights = trained
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, LABELS)))
    written = {}
    for precision in ('float32', 'bfloat16'):
        FI.main(['--input', source, '--weights', weights, '--steps', '8', '--max-gap', '0', '--heatmaps', '0',
                 '--precision', precision, '--log-dir', str(tmp_path / precision),
                 '--images-dir', str(tmp_path / 'img')])
        captured = capsys.readouterr()
        assert f'8 steps, {precision}' in captured.err and f'path in {precision}: mean' in captured.out
        header, *rows = (tmp_path / precision / 'attributions.tsv').read_text(encoding='utf-8').splitlines()
        assert header.split('\t')[8] == 'precision' and {row.split('\t')[8] for row in rows} == {precision}
        page = (tmp_path / precision / 'feature_importance.html').read_text(encoding='utf-8')
        assert f'The path ran in {precision}.' in page
        written[precision] = [np.array(row.split('\t')[-1].split(), float) for row in rows]
        expected = A.explain(model, tokenizer, TEXTS, steps=8, precision=precision)
        for scores, result in zip(written[precision], expected):
            np.testing.assert_allclose(scores, result['scores'], atol=1e-4)
    assert any(np.abs(a - b).max() > 1e-4 for a, b in zip(written['float32'], written['bfloat16']))


def test_a_very_long_text_makes_a_bounded_heatmap(tmp_path):
    text = '胃窦黏膜充血水肿，' * 100  # 900 characters, as a text from elsewhere could be
    result = {'chars': list(text), 'scores': list(np.linspace(-1, 1, len(text))), 'predicted': 1, 'target': 1,
              'probs': [0.01, 0.98, 0.01], 'gap': 0.003}
    out = tmp_path / 'long.png'
    FI.plot_heatmap(result, TOY_LABEL_NAMES, str(out))
    from matplotlib import image
    height, width = image.imread(str(out)).shape[:2]
    assert height < 1500 and width < 2500


def test_cli_errors_are_one_line(trained, tmp_path, capsys):
    _, _, weights = trained
    with pytest.raises(SystemExit) as stop:
        FI.main(['--input', write_rows(tmp_path / 'ok.txt', [('胃炎', 1)]), '--weights', str(tmp_path / 'no.h5')])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'no.h5 not found: train a model first' in err

    bad = tmp_path / 'bad.txt'
    bad.write_bytes('胃炎\n'.encode() + '内痔\n'.encode('gbk'))
    with pytest.raises(SystemExit) as stop:
        FI.main(['--input', str(bad), '--weights', weights])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and f'{bad}:2: not valid UTF-8' in err

    with pytest.raises(SystemExit) as stop:  # Gauss-Lobatto's points are the two ends at least
        FI.main(['--input', write_rows(tmp_path / 'ok.txt', [('胃炎', 1)]), '--weights', weights, '--steps', '1'])
    assert stop.value.code == 2 and 'takes at least 2 --steps' in capsys.readouterr().err


def test_the_report_stays_small_and_puts_misses_first(trained, tmp_path):
    model, tokenizer, _ = trained
    texts = [TEXTS[i % len(TEXTS)] * (1 + i % 4) for i in range(200)]  # 200 texts of 3 to 40 characters
    results = A.explain(model, tokenizer, texts, steps=2)
    gold = [(r['predicted'] + (i % 7 == 0)) % 3 for i, r in enumerate(results)]  # every 7th is a miss
    out = tmp_path / 'report.html'
    with open(path.REPORT_TEMPLATE_PATH, encoding='utf-8') as f:
        template = string.Template(f.read())
    FI.write_html(results, A.keyword_table(results, 3), TOY_LABEL_NAMES, str(out), 20, template, gold)
    page = out.read_text(encoding='utf-8')
    body = page[page.index('<div id="texts">'):page.index('</div>\n<script>')]
    assert len(body.encode('utf-8')) / 200 < 1024  # markup per text, characters included
    assert page.count(' class=miss') == sum(1 for i in range(200) if i % 7 == 0) == 29
    assert '29 of them misses' in page and '(gold ' in page
    assert all(f'<option value="{k}">' in page for k in range(3))  # the class filter
    # one style per score bucket, not one per character
    assert 'style=' not in body and page.count('.s10 {') == 1


def test_the_time_estimate_goes_by_tokens_and_leaves_out_the_first_batchs_warm_up(trained, tmp_path, monkeypatch,
                                                                                   capsys):
    _, _, weights = trained
    texts = ['胃炎'] * 4 + ['胃窦黏膜充血水肿，散在点片状糜烂，幽门圆，开闭好。' * 2] * 4  # 2 and 50 characters
    source = tmp_path / 'in.txt'
    source.write_text(''.join(text + '\n' for text in texts), encoding='utf-8')
    clock = [0.0]
    monkeypatch.setattr(FI.time, 'time', lambda: clock[0])
    monkeypatch.setattr(FI, 'ESTIMATE_AFTER_TEXTS', 4)

    def explain(trained, tokenizer, texts, *args, progress=None, **kwargs):  # one second a token, shortest first
        results = real_explain(trained, tokenizer, texts, *args, **kwargs)
        clock[0] += 600  # the first batch: TensorFlow sets its functions up
        for text in sorted(texts, key=len):
            clock[0] += len(text) + 2
            progress(1)
        return results
    real_explain = A.explain
    monkeypatch.setattr(FI.A, 'explain', explain)
    FI.main(['--input', str(source), '--weights', weights, '--steps', '2', '--max-gap', '0', '--heatmaps', '0',
             '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    # after the first text, 5% of the 4 x 4 + 4 x 52 = 224 tokens (3 texts, 12 s) give 1 s a token: the
    # 208 tokens left take about 3 minutes (with the warm-up counted, over 2 hours; by texts, under 1)
    assert '8 texts to explain: about 3 more minutes on this machine (--limit' in capsys.readouterr().out
