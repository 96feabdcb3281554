#!/usr/bin/python3
"""Generate internal/ansiblenames/names.txt.gz from the Ansible installed here.

Regenerate (needs Debian's ansible-core and ansible packages, or any
ansible-core 2.14 with the ansible collections on sys.path):

    cd internal/ansiblenames && /usr/bin/python3 gen/gen.py | gzip -9n > names.txt.gz

It reads Ansible the way ansible-playbook does: module DOCUMENTATION with its
doc fragments merged (ansible.utils.plugin_docs.get_docstring), the plugin
routing of ansible-core (config/ansible_builtin_runtime.yml) and of every
collection (meta/runtime.yml), the playbook classes' FieldAttributes, and the
filter/test maps of the plugin files themselves. Only collections on sys.path
count: ANSIBLE_COLLECTIONS_PATH is pointed at an empty directory so a user's
~/.ansible/collections cannot leak into the committed data.

Output lines (one record each, fields separated by one space; see data.go):
    V <ansible-core version> <ansible version>
    K <context> <keyword>...            play, role, block, task, handler
    M <fqcn> [~] [*] [args...]           a module; ~ free-form, * any argument
    M <fqcn> ?                           a module whose arguments are unknown
    R <fqcn> <target fqcn>               a module redirect that resolves
    B <fqcn> <backend fqcn>...           a proxy module's backends (package, service)
    F <name>... / T <name>... / L <name>...   valid filter / test / lookup names
"""

import importlib
import os
import re
import sys
import tempfile
import warnings

os.environ['ANSIBLE_COLLECTIONS_PATH'] = tempfile.mkdtemp()
os.environ.setdefault('ANSIBLE_NOCOLOR', '1')
warnings.simplefilter('ignore')

import jinja2.defaults  # noqa: E402
import yaml  # noqa: E402

import ansible  # noqa: E402
from ansible.release import __version__ as core_version  # noqa: E402
from ansible.plugins.loader import fragment_loader  # noqa: E402  (installs the collection finder)
from ansible.utils.display import Display  # noqa: E402
from ansible.utils.plugin_docs import get_docstring  # noqa: E402

Display().verbosity = -1  # keep deprecation chatter of doc loading off stdout

CORE = os.path.dirname(ansible.__file__)
COLL_ROOT = None
for p in sys.path:
    if os.path.isdir(os.path.join(p, 'ansible_collections', 'ansible', 'posix')):
        COLL_ROOT = os.path.join(p, 'ansible_collections')
        break
if COLL_ROOT is None:
    sys.exit('gen.py: no ansible_collections with ansible.posix on sys.path')

# Modules that take arbitrary argument names by design: their documented
# options describe the shape (key=value pairs), not the names.
ANY_ARGS = {
    'ansible.builtin.set_fact',   # every key is a variable to set
    'ansible.builtin.add_host',   # keys other than name/groups become host vars
}
# Documented pseudo-options that stand for the module's free-form text.
FREE_FORM = {'free_form', 'free-form', 'key_value'}


def warn(msg):
    print('gen.py: ' + msg, file=sys.stderr)


def collections():
    """(namespace.name, path) of every installed collection, sorted."""
    out = []
    for ns in sorted(os.listdir(COLL_ROOT)):
        nsdir = os.path.join(COLL_ROOT, ns)
        if not os.path.isdir(nsdir) or ns.startswith('_'):
            continue
        for name in sorted(os.listdir(nsdir)):
            d = os.path.join(nsdir, name)
            if os.path.isdir(os.path.join(d, 'plugins')) or os.path.isfile(os.path.join(d, 'meta', 'runtime.yml')):
                out.append((ns + '.' + name, d))
    return out


def routing(coll, path):
    if coll == 'ansible.builtin':
        f = os.path.join(CORE, 'config', 'ansible_builtin_runtime.yml')
    else:
        f = os.path.join(path, 'meta', 'runtime.yml')
    if not os.path.isfile(f):
        return {}
    with open(f) as fh:
        data = yaml.safe_load(fh) or {}
    return data.get('plugin_routing') or {}


def plugin_files(plugdir, exts):
    """{dotted name relative to plugdir: [paths]} for plugin files (subdirs included)."""
    found = {}
    if not os.path.isdir(plugdir):
        return found
    for root, dirs, files in os.walk(plugdir):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__' and not d.startswith('.'))
        rel = os.path.relpath(root, plugdir)
        prefix = '' if rel == '.' else rel.replace(os.sep, '.') + '.'
        for f in sorted(files):
            stem, ext = os.path.splitext(f)
            if ext not in exts or stem == '__init__':
                continue
            found.setdefault(prefix + stem, []).append(os.path.join(root, f))
    return found


def module_doc(coll, paths):
    """(args, free_form) from a module's documentation, or None if it has none."""
    doc_path = None
    for p in paths:
        if p.endswith('.py'):
            doc_path = p
    if doc_path is None:
        base = os.path.splitext(paths[0])[0]
        for ext in ('.py', '.yml', '.yaml'):
            if os.path.isfile(base + ext):
                doc_path = base + ext
                break
    if doc_path is None:
        return None
    try:
        doc, _, _, _ = get_docstring(doc_path, fragment_loader, collection_name=coll, is_module=True)
    except Exception as e:  # a broken doc or fragment: arguments unknown
        warn('%s: %s' % (doc_path, str(e).splitlines()[0] if str(e) else type(e).__name__))
        return None
    if not doc:
        return None
    opts = doc.get('options') or {}
    if not isinstance(opts, dict):
        return None
    args, free = set(), False
    for name, spec in opts.items():
        if name in FREE_FORM:
            free = True
            continue
        args.add(str(name))
        if isinstance(spec, dict):
            for a in spec.get('aliases') or []:
                args.add(str(a))
    return sorted(args), free


def module_records(colls):
    """Modules {fqcn: args-or-None} plus per-collection routing for modules."""
    mods = {}
    frees = set()
    core_files = plugin_files(os.path.join(CORE, 'modules'), ('.py', '.ps1'))
    for name in list(core_files):
        # ansible-core's legacy loader resolves `x` to a deprecated `_x` file.
        if name.startswith('_') and name[1:] not in core_files:
            core_files[name[1:]] = core_files.pop(name)
    sources = [('ansible.builtin', core_files)]
    for coll, path in colls:
        sources.append((coll, plugin_files(os.path.join(path, 'plugins', 'modules'), ('.py', '.ps1'))))
    for coll, files in sources:
        for name, paths in sorted(files.items()):
            fq = coll + '.' + name
            d = module_doc(coll, paths)
            if d is None:
                mods[fq] = None
                continue
            mods[fq] = d[0]
            if d[1]:
                frees.add(fq)
    return mods, frees


def resolve(fq, exists, routes, kind):
    """Follow plugin_routing redirects from fq; the final FQCN or None.

    A tombstone anywhere on the way, a cycle, or a target that is not
    installed makes the name invalid, as it is for ansible-playbook.
    """
    seen = set()
    while fq not in seen:
        seen.add(fq)
        parts = fq.split('.')
        coll, leaf = '.'.join(parts[:2]), '.'.join(parts[2:])
        entry = (routes.get(coll) or {}).get(kind, {}).get(leaf) or {}
        if entry.get('tombstone'):
            return None
        target = entry.get('redirect')
        if target:
            if target.count('.') < 2:
                return None
            fq = target
            continue
        return fq if exists(fq) else None
    return None


def keywords():
    from ansible.playbook.play import Play
    from ansible.playbook.block import Block
    from ansible.playbook.task import Task
    from ansible.playbook.handler import Handler
    from ansible.playbook.role.include import RoleInclude

    def public(cls):
        return {n for n, a in cls.fattributes.items() if not a.private}

    play = public(Play) | {'user'}  # Play.preprocess_data still maps user to remote_user
    task = public(Task) | {'local_action'}  # ModuleArgsParser reads local_action
    return {
        'play': play,
        'role': public(RoleInclude),
        'block': public(Block),
        'task': task,
        'handler': public(Handler) | {'local_action'},
    }


def jinja_plugins(kind, attr, method, colls, routes):
    """Valid names of filters or tests: jinja2's, ansible.builtin's short and
    FQCN, collections' FQCN, and routed names that resolve."""
    by_coll = {}
    core = set()
    for name in sorted(plugin_files(os.path.join(CORE, 'plugins', kind), ('.py',))):
        mod = importlib.import_module('ansible.plugins.%s.%s' % (kind, name))
        core |= set(getattr(getattr(mod, attr)(), method)())
    by_coll['ansible.builtin'] = core
    for coll, path in colls:
        names = set()
        for name in sorted(plugin_files(os.path.join(path, 'plugins', kind), ('.py',))):
            modname = 'ansible_collections.%s.plugins.%s.%s' % (coll, kind, name)
            try:
                mod = importlib.import_module(modname)
                names |= set(getattr(getattr(mod, attr)(), method)())
            except Exception as e:
                warn('%s: %s' % (modname, e))
        if names:
            by_coll[coll] = names

    def exists(fq):
        c, leaf = '.'.join(fq.split('.')[:2]), '.'.join(fq.split('.')[2:])
        return leaf in by_coll.get(c, ())

    valid = set(jinja2.defaults.DEFAULT_FILTERS if kind == 'filter' else jinja2.defaults.DEFAULT_TESTS)
    for c, names in by_coll.items():
        valid |= {c + '.' + n for n in names}
    valid |= core
    valid |= {'ansible.legacy.' + n for n in core}
    for c, r in routes.items():
        for leaf in (r.get(kind) or {}):
            fq = c + '.' + leaf
            if resolve(fq, exists, routes, kind):
                valid.add(fq)
                if c == 'ansible.builtin':
                    valid.add(leaf)
                    valid.add('ansible.legacy.' + leaf)
    return valid


def lookups(colls, routes):
    by_coll = {'ansible.builtin': set(plugin_files(os.path.join(CORE, 'plugins', 'lookup'), ('.py',)))}
    for coll, path in colls:
        by_coll[coll] = set(plugin_files(os.path.join(path, 'plugins', 'lookup'), ('.py',)))

    def exists(fq):
        c, leaf = '.'.join(fq.split('.')[:2]), '.'.join(fq.split('.')[2:])
        return leaf in by_coll.get(c, ())

    valid = set()
    for c, names in by_coll.items():
        valid |= {c + '.' + n for n in names}
    core = by_coll['ansible.builtin']
    valid |= core | {'ansible.legacy.' + n for n in core}
    for c, r in routes.items():
        for leaf in (r.get('lookup') or {}):
            fq = c + '.' + leaf
            if resolve(fq, exists, routes, 'lookup'):
                valid.add(fq)
                if c == 'ansible.builtin':
                    valid |= {leaf, 'ansible.legacy.' + leaf}
            else:
                valid.discard(fq)
                if c == 'ansible.builtin':
                    valid -= {leaf, 'ansible.legacy.' + leaf}
    return valid


def backends(resolve_module):
    """Modules that package and service hand their arguments to."""
    from ansible.module_utils.facts.system.pkg_mgr import PKG_MGRS
    from ansible.plugins.action.service import ActionModule as Service
    out = {}
    for proxy, names in (('ansible.builtin.package', [m['name'] for m in PKG_MGRS]),
                         ('ansible.builtin.service', sorted(Service.BUILTIN_SVC_MGR_MODULES))):
        fqs = []
        for n in names:
            fq = resolve_module('ansible.builtin.' + n)
            if fq and fq not in fqs and fq != proxy:
                fqs.append(fq)
        out[proxy] = fqs
    return out


def ansible_version():
    """The ansible package's version; read, not imported: the collection
    finder owns the ansible_collections package."""
    try:
        with open(os.path.join(COLL_ROOT, 'ansible_release.py')) as fh:
            return re.search(r"ansible_version = '([^']+)'", fh.read()).group(1)
    except (OSError, AttributeError):
        return 'unknown'


def main():
    colls = collections()
    routes = {'ansible.builtin': routing('ansible.builtin', None)}
    for coll, path in colls:
        routes[coll] = routing(coll, path)

    mods, frees = module_records(colls)

    def resolve_module(fq):
        return resolve(fq, lambda x: x in mods, routes, 'modules')

    out = sys.stdout
    out.write('V %s %s\n' % (core_version, ansible_version()))
    for ctx, kws in keywords().items():
        out.write('K %s %s\n' % (ctx, ' '.join(sorted(kws))))
    for fq in sorted(mods):
        args = mods[fq]
        if resolve_module(fq) != fq:
            continue  # routed away or tombstoned although the file exists
        if args is None:
            out.write('M %s ?\n' % fq)
            continue
        flags = (['~'] if fq in frees else []) + (['*'] if fq in ANY_ARGS else [])
        out.write('M %s\n' % ' '.join([fq] + flags + args))
    for c in sorted(routes):
        for leaf in sorted(routes[c].get('modules') or {}):
            if leaf.endswith('.ps1'):
                continue  # picks the Windows module by extension, not a task name
            fq = c + '.' + leaf
            target = resolve_module(fq)
            if target and target != fq:
                out.write('R %s %s\n' % (fq, target))
    for proxy, fqs in backends(resolve_module).items():
        out.write('B %s %s\n' % (proxy, ' '.join(fqs)))
    out.write('F %s\n' % ' '.join(sorted(jinja_plugins('filter', 'FilterModule', 'filters', colls, routes))))
    out.write('T %s\n' % ' '.join(sorted(jinja_plugins('test', 'TestModule', 'tests', colls, routes))))
    out.write('L %s\n' % ' '.join(sorted(lookups(colls, routes))))


if __name__ == '__main__':
    main()
