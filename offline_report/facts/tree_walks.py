"""Python, Go, Rust, Java, JavaScript and TypeScript definitions from a syntax tree, and the walk for each grammar."""

from __future__ import annotations

from dataclasses import replace

from .options import is_test
from .syntax import Definition, Param, Reader
from .tree_c import walk_c

_PY_BLOCKS = frozenset({"if_statement", "try_statement", "else_clause", "elif_clause", "except_clause",
                        "finally_clause", "block", "decorated_definition"})
_JAVA_TYPES = {"class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
               "record_declaration": "class", "annotation_type_declaration": "interface"}
_JAVA_TESTS = frozenset("Test ParameterizedTest RepeatedTest TestFactory TestTemplate".split())
_JS_TYPES = {"class_declaration": "class", "abstract_class_declaration": "class", "class": "class",
             "interface_declaration": "interface", "enum_declaration": "enum", "type_alias_declaration": "type"}
_JS_FUNCTIONS = frozenset({"function_declaration", "generator_function_declaration", "function_signature"})
_JS_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_RS_TYPES = {"struct_item": "struct", "enum_item": "enum", "union_item": "union", "type_item": "type",
             "trait_item": "trait"}
_RS_TESTS = ("test", "rstest", "test_case", "tokio::test", "async_std::test", "test_log::test")


def walk(root, reader: Reader, grammar: str) -> tuple[Definition, ...]:
    if grammar in ("c", "cpp", "cuda"):
        walk_c(root, reader)
    else:
        {"python": _python, "go": _go, "rust": _rust, "java": _java}.get(grammar, _js)(root, reader)
    return tuple(reader.found)


# --------------------------------------------------------------------------- Python

def _python(root, reader: Reader) -> None:
    exported = _py_all(root, reader)
    _py_body(root, reader, "", True, exported)


def _py_all(root, reader: Reader) -> set[str] | None:
    """The names a module's __all__ lists, or None when it has none."""
    for statement in root.named_children:
        assignment = statement.named_children[0] if statement.type == "expression_statement" and \
            statement.named_children else None
        if assignment is not None and assignment.type == "assignment" and \
                reader.text(assignment.child_by_field_name("left")) == "__all__":
            value = assignment.child_by_field_name("right")
            return {reader.text(s).strip("'\"") for s in (value.named_children if value is not None else ())
                    if s.type == "string"}
    return None


def _py_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__") and len(name) > 4)


def _py_body(node, reader: Reader, scope: str, public: bool, exported: set[str] | None, span=None) -> None:
    for child in node.named_children:
        if child.type in _PY_BLOCKS:
            _py_body(child, reader, scope, public, exported, child if child.type == "decorated_definition" else None)
            continue
        if child.type not in ("function_definition", "class_definition"):
            continue
        if span is not None and _py_overload(span, reader):
            continue   # a typing stub: the function is the one defined without @overload
        name = reader.text(child.child_by_field_name("name"))
        full = f"{scope}.{name}" if scope else name
        visible = public and _py_public(name) and (scope or exported is None or name in exported)
        where = span or child
        if child.type == "class_definition":
            reader.add(where, full, "class", visible)
            body = child.child_by_field_name("body")
            if body is not None:
                _py_body(body, reader, full, visible, None)
            continue
        test = is_test(reader.path, "python", full, False)
        reader.add(where, full, "method" if scope else "function", visible, _py_params(child, reader, bool(scope)),
                   reader.text(child.child_by_field_name("return_type")) or None, scope, test)


def _py_overload(decorated, reader: Reader) -> bool:
    return any(d.type == "decorator" and reader.text(d).lstrip("@").strip().rsplit(".", 1)[-1] == "overload"
               for d in decorated.named_children)


def _py_params(node, reader: Reader, method: bool) -> tuple[Param, ...]:
    found = []
    for child in (node.child_by_field_name("parameters") or node).named_children:
        kind = child.type
        if kind in ("keyword_separator", "positional_separator", "comment"):
            continue
        if kind == "identifier":
            found.append(Param(reader.text(child)))
        elif kind in ("list_splat_pattern", "dictionary_splat_pattern"):
            found.append(Param(reader.text(child)))
        else:
            name = child.child_by_field_name("name") or (child.named_children[0] if child.named_children else None)
            value = child.child_by_field_name("value")
            found.append(Param(reader.text(name), reader.text(child.child_by_field_name("type")),
                               reader.text(value) if value is not None else None))
    if method and found and found[0].name in ("self", "cls"):
        found = found[1:]
    return tuple(found)


# --------------------------------------------------------------------------- Go

def _go(root, reader: Reader) -> None:
    for child in root.named_children:
        if child.type in ("function_declaration", "method_declaration"):
            name = reader.text(child.child_by_field_name("name"))
            receiver = _go_receiver(child.child_by_field_name("receiver"), reader)
            full = f"{receiver}.{name}" if receiver else name
            public = name[:1].isupper() and (not receiver or receiver[:1].isupper())
            test = is_test(reader.path, "go", full, False)
            reader.add(child, full, "method" if receiver else "function", public,
                       _go_params(child.child_by_field_name("parameters"), reader),
                       reader.text(child.child_by_field_name("result")) or None, receiver, test)
        elif child.type == "type_declaration":
            for spec in child.named_children:
                name = reader.text(spec.child_by_field_name("name"))
                value = spec.child_by_field_name("type")
                kind = {"struct_type": "struct", "interface_type": "interface"}.get(value.type if value else "",
                                                                                     "type")
                if name:
                    reader.add(child, name, kind, name[:1].isupper())


def _go_receiver(node, reader: Reader) -> str:
    for param in node.named_children if node is not None else ():
        kind = param.child_by_field_name("type")
        while kind is not None and kind.type in ("pointer_type", "generic_type", "parenthesized_type"):
            kind = kind.child_by_field_name("type") or (kind.named_children[0] if kind.named_children else None)
        return reader.text(kind)
    return ""


def _go_params(node, reader: Reader) -> tuple[Param, ...]:
    found = []
    for param in node.named_children if node is not None else ():
        type_text = reader.text(param.child_by_field_name("type"))
        if param.type == "variadic_parameter_declaration":
            type_text = "..." + type_text
        names = param.children_by_field_name("name")
        found.extend(Param(reader.text(name), type_text) for name in names)
        if not names:
            found.append(Param(type_text, type_text))
    return tuple(found)


# --------------------------------------------------------------------------- Rust

def _rust(root, reader: Reader) -> None:
    _rs_body(root, reader, "", True, "", False)
    # A method is no more reachable than its type: a pub fn of a private struct this file defines is private.
    hidden = {d.name for d in reader.found if d.kind in _RS_TYPES.values() and not d.public}
    if hidden:
        reader.found[:] = [replace(d, public=False) if d.public and d.kind == "method" and
                           d.name.rsplit("::", 1)[0] in hidden else d for d in reader.found]


def _rs_attributes(node, reader: Reader) -> tuple[list[str], object]:
    """The attributes written above an item (#[test], #[cfg(test)]), nearest first, and the item's span from
    the first of them (an attribute, #[must_use] or a derive, is part of the item)."""
    found, before, first = [], node.prev_named_sibling, None
    while before is not None and before.type in ("attribute_item", "line_comment", "block_comment"):
        if before.type == "attribute_item":
            found.append(reader.text(before)[2:-1].strip())
            first = before
        before = before.prev_named_sibling
    return found, (_Attributed(first, node) if first is not None else node)


class _Attributed:
    """An item's node, its lines starting at its first attribute."""

    def __init__(self, first, node):
        self.node, self.start_byte, self.start_point = node, first.start_byte, first.start_point
        self.end_byte, self.end_point, self.named_children = node.end_byte, node.end_point, node.named_children

    def child_by_field_name(self, name: str):
        return self.node.child_by_field_name(name)


def _rs_body(node, reader: Reader, scope: str, public: bool, owner_kind: str, tests: bool) -> None:
    for child in node.named_children:
        kind = child.type
        pub = any(c.type == "visibility_modifier" and reader.text(c) == "pub" for c in child.children)
        attributes, span = _rs_attributes(child, reader) if child.prev_named_sibling is not None else ([], child)
        if kind in ("function_item", "function_signature_item"):
            name = reader.text(child.child_by_field_name("name"))
            full = f"{scope}::{name}" if scope else name
            test = any(a.split("(")[0] in _RS_TESTS for a in attributes)
            visible = public and (pub or owner_kind in ("trait", "trait impl")) and not tests
            reader.add(span, full, "method" if owner_kind else "function", visible,
                       _rs_params(child.child_by_field_name("parameters"), reader),
                       reader.text(child.child_by_field_name("return_type")) or None,
                       scope if owner_kind else "", test)
        elif kind in _RS_TYPES:
            name = reader.text(child.child_by_field_name("name"))
            full = f"{scope}::{name}" if scope else name
            reader.add(span, full, _RS_TYPES[kind], public and pub and not tests)
            if kind == "trait_item" and child.child_by_field_name("body") is not None:
                _rs_body(child.child_by_field_name("body"), reader, full, public and pub, "trait", tests)
        elif kind == "impl_item":
            target = child.child_by_field_name("type")
            while target is not None and target.type in ("generic_type", "scoped_type_identifier"):
                target = target.child_by_field_name("type") or target.child_by_field_name("name")
            body = child.child_by_field_name("body")
            if body is not None and target is not None:
                full = f"{scope}::{reader.text(target)}" if scope else reader.text(target)
                trait = child.child_by_field_name("trait") is not None
                _rs_body(body, reader, full, public, "trait impl" if trait else "impl", tests)
        elif kind == "mod_item" and child.child_by_field_name("body") is not None:
            name = reader.text(child.child_by_field_name("name"))
            test_mod = tests or "cfg(test)" in attributes or name == "tests"
            reader.test_scope += test_mod   # what a test module defines is test code, as in a test file
            _rs_body(child.child_by_field_name("body"), reader, f"{scope}::{name}" if scope else name,
                     public and pub, "", test_mod)
            reader.test_scope -= test_mod


def _rs_params(node, reader: Reader) -> tuple[Param, ...]:
    found = []
    for param in node.named_children if node is not None else ():
        if param.type == "parameter":
            found.append(Param(reader.text(param.child_by_field_name("pattern")),
                               reader.text(param.child_by_field_name("type"))))
        elif param.type == "variadic_parameter":
            found.append(Param("..."))
    return tuple(found)


# --------------------------------------------------------------------------- Java

def _java(root, reader: Reader) -> None:
    _java_body(root, reader, "", True, False)


def _java_modifiers(node, reader: Reader) -> tuple[str, bool]:
    """The modifiers' words and whether a test annotation (@Test...) is among them."""
    for child in node.children:
        if child.type == "modifiers":
            text = reader.text(child)
            test = any(reader.text(a.child_by_field_name("name")).rsplit(".", 1)[-1] in _JAVA_TESTS
                       for a in child.named_children if a.type in ("marker_annotation", "annotation"))
            return text, test
    return "", False


def _java_body(node, reader: Reader, scope: str, public: bool, interface: bool) -> None:
    for child in node.named_children:
        kind = child.type
        if kind in ("class_body", "interface_body", "enum_body", "enum_body_declarations"):
            _java_body(child, reader, scope, public, interface)
            continue
        modifiers, test = _java_modifiers(child, reader)
        words = modifiers.split()
        visible = public and ("public" in words or "protected" in words or
                              (interface and "private" not in words))
        name = reader.text(child.child_by_field_name("name"))
        full = f"{scope}.{name}" if scope else name
        if kind in _JAVA_TYPES:
            reader.add(child, full, _JAVA_TYPES[kind], visible)
            body = child.child_by_field_name("body")
            if body is not None:
                _java_body(body, reader, full, visible, kind in ("interface_declaration",
                                                                 "annotation_type_declaration"))
        elif kind in ("method_declaration", "constructor_declaration"):
            params = []
            for param in (child.child_by_field_name("parameters") or child).named_children:
                if param.type in ("formal_parameter", "spread_parameter"):
                    declared = param.child_by_field_name("name") or param.named_children[-1]
                    params.append(Param(reader.text(declared).split("...")[-1].strip(),
                                        reader.text(param.child_by_field_name("type") or param.named_children[0])))
            reader.add(child, full, "method", visible, tuple(params),
                       reader.text(child.child_by_field_name("type")) or None, scope, test)


# --------------------------------------------------------------------------- JavaScript, TypeScript

def _js(root, reader: Reader) -> None:
    _js_body(root, reader, "", False, root)


def _js_body(node, reader: Reader, scope: str, exported: bool, span) -> None:
    for child in node.named_children:
        kind = child.type
        if kind in ("export_statement", "ambient_declaration"):
            _js_body(child, reader, scope, exported or kind == "export_statement", child)
            continue
        where = span if node.type in ("export_statement", "ambient_declaration") else child
        name_node = child.child_by_field_name("name")
        name = reader.text(name_node)
        full = f"{scope}.{name}" if scope and name else name
        if kind in _JS_FUNCTIONS and name:
            reader.add(where, full, "function", exported and not name.startswith("_"), _js_params(child, reader),
                       _js_returns(child, reader))
        elif kind in _JS_TYPES and name:
            reader.add(where, full, _JS_TYPES[kind], exported and not name.startswith("_"))
            body = child.child_by_field_name("body")
            if body is not None and _JS_TYPES[kind] == "class":
                _js_class(body, reader, full, exported and not name.startswith("_"))
        elif kind in ("lexical_declaration", "variable_declaration"):
            for declarator in child.named_children:
                value = declarator.child_by_field_name("value")
                name = reader.text(declarator.child_by_field_name("name"))
                if value is not None and value.type in _JS_VALUES and name:
                    reader.add(where, name, "function", exported and not name.startswith("_"),
                               _js_params(value, reader), _js_returns(value, reader))


def _js_class(body, reader: Reader, owner: str, public: bool) -> None:
    for member in body.named_children:
        if member.type not in ("method_definition", "abstract_method_signature", "method_signature"):
            continue
        name = reader.text(member.child_by_field_name("name"))
        hidden = any(c.type == "accessibility_modifier" and reader.text(c) in ("private", "protected")
                     for c in member.children)
        visible = public and not hidden and not name.startswith(("_", "#"))
        reader.add(member, f"{owner}.{name}", "method", visible, _js_params(member, reader),
                   _js_returns(member, reader), owner)


def _js_returns(node, reader: Reader) -> str | None:
    returns = reader.text(node.child_by_field_name("return_type")).lstrip(":").strip()
    return returns or None


def _js_params(node, reader: Reader) -> tuple[Param, ...]:
    params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
    if params is None:
        return ()
    if params.type == "identifier":
        return (Param(reader.text(params)),)
    found = []
    for param in params.named_children:
        if param.type in ("required_parameter", "optional_parameter"):
            pattern, value = param.child_by_field_name("pattern"), param.child_by_field_name("value")
            name = reader.text(pattern) + ("?" if param.type == "optional_parameter" else "")
            if name == "this":
                continue
            found.append(Param(name if pattern is None or pattern.type != "object_pattern" else "{…}",
                               reader.text(param.child_by_field_name("type")).lstrip(":").strip(),
                               reader.text(value) if value is not None else None))
        elif param.type == "assignment_pattern":
            found.append(Param(reader.text(param.child_by_field_name("left")), "",
                               reader.text(param.child_by_field_name("right"))))
        elif param.type in ("identifier", "rest_pattern"):
            found.append(Param(reader.text(param)))
        elif param.type in ("object_pattern", "array_pattern"):
            found.append(Param("{…}"))
    return tuple(found)
