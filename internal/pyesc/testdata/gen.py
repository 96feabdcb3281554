# Regenerate python.json: /usr/bin/python3 testdata/gen.py > testdata/python.json
# Each case: input, and what each Python decoder makes of it (null: an error).
import ast, codecs, json, warnings
warnings.simplefilter("ignore")
from ansible.parsing.splitter import _decode_escapes
cases = [r'a\nb', r'\x41\101\q\\', r'\x4', 'end\\', r'\u00e9\U0001F600', r'\'\"\a\b\f\r\t\v',
         'a\\\nb', r'\777', r'\0', r'\N{BULLET}', r'\xZZ', r'\ud800', r'\x41\x', r'\1234']
out = []
for c in cases:
    row = {"in": c}
    try: row["bytes"] = list(codecs.escape_decode(c.encode())[0])
    except Exception: row["bytes"] = None
    # A space before the closing quotes, so a trailing backslash stays one.
    try: row["literal"] = ast.literal_eval("'''" + c + " '''")[:-1]
    except Exception: row["literal"] = None
    try: row["kv"] = _decode_escapes(c)
    except Exception: row["kv"] = None
    out.append(row)
print(json.dumps(out, ensure_ascii=True))
