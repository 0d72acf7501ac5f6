"""Traditional Chinese characters read as their simplified ones, one character for one.

Reports from Taiwan, Hong Kong and many older archives are written in
Traditional script (結腸鏡, 闌尾, 腸); the model learns from simplified text, and a
character it never saw in training carries no evidence. The tokenizer
(model.ScriptTokenizer) and the exported graph (utils/graph_tokenizer.py) map
each character through the table below before anything else, so that 結腸 reads
as 结肠.

The table comes from OpenCC's dictionaries (the t2s, tw2s and hk2s
conversions, character by character) with two rules:

- only one-character-for-one mappings, so that a text keeps its length and an
  explanation's scores fall on the characters the user wrote;
- a character of the simplified standard set (it encodes in GB 2312) is
  changed only where it is the Traditional form of its simplified one (後 to 后,
  於 to 于: OpenCC's s2t turns the simplified one back into it); 著 stays 著, as in
  显著, and 乾 stays 乾. Simplified text, the training data included, reads as
  before.

Phrase-level conversion (OpenCC's own t2s) would also turn regional words into
mainland ones, but it can change a text's length and cannot be done character by
character in the exported graph; regional words (內視鏡, 大腸鏡, 瘜肉) are for the
data to teach.
"""
import functools

import opencc

CONFIGS = ('t2s', 'tw2s', 'hk2s')  # the first that maps a character wins
# CJK Unified Ideographs and extensions A-F, compatibility ideographs and their supplement
RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def in_simplified_standard(ch):
    try:
        ch.encode('gb2312')
        return True
    except UnicodeEncodeError:
        return False


@functools.lru_cache(maxsize=None)
def simplified_table():
    """{codepoint: simplified character} for every character to change; applying it twice changes nothing more."""
    chars = [chr(code) for low, high in RANGES for code in range(low, high + 1)]
    table, to_traditional = {}, opencc.OpenCC('s2t')
    for name in CONFIGS:
        # one conversion of all characters, a line each: a line break is in no phrase, so each converts alone
        converted = opencc.OpenCC(name).convert('\n'.join(chars)).split('\n')
        assert len(converted) == len(chars), name
        for ch, out in zip(chars, converted):
            if out == ch or len(out) != 1 or ch in table:
                continue
            if not in_simplified_standard(ch) or to_traditional.convert(out) == ch:
                table[ch] = out
    for ch, out in table.items():  # follow chains (a -> b -> c) to their end
        seen = {ch}
        while out in table and out not in seen:
            seen.add(out)
            out = table[out]
        table[ch] = out
    return {ord(ch): out for ch, out in table.items() if out != ch}


def to_simplified(text):
    """text with every Traditional character replaced by its simplified one; the same length."""
    return text.translate(simplified_table())
