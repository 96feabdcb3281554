# Regenerate python.json: /usr/bin/python3 testdata/gen.py > testdata/python.json
import shlex, json
cases = [r'a b  c', r'a="x y" b', r'''a='x "y"' ''', r'a="x \"y\" \z"', r'a\ b', 'a#b c', 'a "#b" c', '""', "'' \"\"", r'a"b c"d', r"'a\b' " + r'"a\b" a\b', 'a\tb\nc', 'x #c\ny', 'K="a\\$b"', 'a\\\nb', 'a "b', 'a\\', "a 'b", ' #only', 'a#', 'x=1 # c\n#y=2\nz=3']
out = []
for c in cases:
    for com in (False, True):
        try: r = shlex.split(c, comments=com)
        except ValueError as e: r = str(e)
        out.append([c, com, r])
print(json.dumps(out))
