"""C, C++ and CUDA definitions from a syntax tree: namespaces, records, functions and their declarations."""

from __future__ import annotations

from .kinds import is_header
from .patch import Pattern
from .syntax import Param, Reader

_RECORDS = {"class_specifier": "class", "struct_specifier": "struct", "union_specifier": "union",
            "enum_specifier": "enum"}
_TRANSPARENT = frozenset({"linkage_specification", "template_declaration", "preproc_if", "preproc_ifdef",
                          "preproc_else", "preproc_elif", "preproc_elifdef", "declaration_list", "export_declaration"})
_DECLARATORS = frozenset({"pointer_declarator", "reference_declarator", "function_declarator",
                          "parenthesized_declarator", "attributed_declarator"})
_NAME = Pattern(r"^~?[A-Za-z_]\w*(?:<.*>)?$|^operator\W")
_TEMPLATE_ARGS = Pattern(r"<[^<>]*>")
_PARAMS = frozenset({"parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration",
                     "variadic_parameter", "optional_type_parameter_declaration"})


def walk_c(root, reader: Reader) -> None:
    reader.header = is_header(reader.path)
    _body(root, reader, "", None, True)


def _body(node, reader: Reader, scope: str, access: str | None, public: bool, in_class: bool = False) -> None:
    """The definitions directly in a namespace, a class body or the file (never in a function body); in_class:
    the node lies in a class body (a template or #ifdef there holds members)."""
    # What holds each child is passed down: a node's parent is found from the root, one sibling at a time.
    in_class = in_class or node.type == "field_declaration_list"
    for child in node.named_children:
        kind = child.type
        if kind == "access_specifier":
            access = reader.text(child).strip()
        elif kind == "namespace_definition":
            _namespace(child, reader, scope, public)
        elif kind in _TRANSPARENT:
            body = child.child_by_field_name("body") if kind == "linkage_specification" else child
            if body is not None and body.type not in ("declaration", "function_definition"):
                _body(body, reader, scope, access, public, in_class)
            elif body is not None:
                _one(body, reader, scope, access, public, child, in_class)
        else:
            _one(child, reader, scope, access, public, child, in_class)


def _namespace(node, reader: Reader, scope: str, public: bool) -> None:
    name = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    if body is None:
        return
    inner = f"{scope}::{reader.text(name)}" if scope and name is not None else reader.text(name) or scope
    _body(body, reader, inner, None, public and name is not None)   # an anonymous namespace is file-local


def _one(node, reader: Reader, scope: str, access: str | None, public: bool, span, in_class: bool) -> None:
    kind = node.type
    visible = public and access not in ("private", "protected")
    # A type or prototype a source file writes outside any class is its own: no other file includes it.
    included = in_class or reader.header
    if kind in _RECORDS:
        _record(node, reader, scope, visible and included, span)
    elif kind == "function_definition":
        _function(node, reader, scope, visible, span, in_class)
    elif kind in ("declaration", "field_declaration"):
        record = node.child_by_field_name("type")
        if record is not None and record.type in _RECORDS:
            _record(record, reader, scope, visible and included, span)
        if kind == "field_declaration" or included:
            _function(node, reader, scope, visible, span, in_class)
    elif kind == "type_definition":
        record = node.child_by_field_name("type")
        if record is not None and record.type in _RECORDS:
            _record(record, reader, scope, visible and included, span)
        for declarator in node.children_by_field_name("declarator"):
            if declarator.type == "type_identifier":
                reader.add(span, _qualify(scope, reader.text(declarator)), "type", visible and included)
    elif kind == "alias_declaration":
        name = node.child_by_field_name("name")
        if name is not None:
            reader.add(span, _qualify(scope, reader.text(name)), "type", visible and included)


def _record(node, reader: Reader, scope: str, public: bool, span) -> None:
    name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
    if name is None or body is None or name.type not in ("type_identifier", "qualified_identifier"):
        return
    full = _qualify(scope, reader.text(name))
    kind = _RECORDS[node.type]
    reader.add(span, full, kind, public)
    if kind != "enum":
        _body(body, reader, full, "private" if kind == "class" else "public", public)


def _function(node, reader: Reader, scope: str, public: bool, span, in_class: bool) -> None:
    outer = node.child_by_field_name("declarator")
    declarator, pointers = _function_declarator(outer)
    if declarator is None:
        if outer is not None and outer.type in ("operator_cast", "qualified_identifier"):
            _conversion(outer, reader, scope, public, span, in_class)
        return
    name_node = declarator.child_by_field_name("declarator")
    name = " ".join(reader.text(name_node).split())
    while "<" in name and "operator" not in name and _TEMPLATE_ARGS.search(name):
        name = _TEMPLATE_ARGS.sub("", name)   # Box<T>::get is the Box::get its class declares
    tail = name.rsplit("::", 1)[-1]
    type_node = node.child_by_field_name("type")
    # A macro call (TEST(Suite, Name) { ... }, MOCK_METHOD(...) in a class) has no return type; of the
    # functions only constructors, destructors and conversion operators have none.
    owner_tail = (name.rsplit("::", 2)[-2] if "::" in name else scope.rsplit("::", 1)[-1]).split("<")[0]
    if not _NAME.match(tail) or (tail.startswith("__") and tail.endswith("__")) or (
            type_node is None and tail.lstrip("~") != owner_tail and not tail.startswith("operator")):
        return
    if reader.source.find(b"static", node.start_byte, declarator.start_byte) >= 0 and any(
            c.type == "storage_class_specifier" and reader.text(c) == "static" for c in node.children):
        public = public and in_class
    full = _qualify(scope, name)
    owner = full.rsplit("::", 1)[0] if "::" in full else ""
    def signature() -> tuple:
        returns = (reader.text(type_node) + pointers) if type_node is not None else None
        return _params(declarator.child_by_field_name("parameters"), reader), returns

    reader.add(span, full, "method" if owner and owner != scope or in_class else "function", public,
               owner=owner if "::" in full else "", signature=signature)


def _conversion(declarator, reader: Reader, scope: str, public: bool, span, in_class: bool) -> None:
    """A conversion operator (operator bool() const, Box::operator int() const), from its declarator: named by
    the type it converts to, which is also what it returns."""
    owner = ""
    while declarator is not None and declarator.type == "qualified_identifier":
        named = declarator.child_by_field_name("scope")
        owner += (reader.text(named) if named is not None else "") + "::"
        declarator = declarator.child_by_field_name("name")
    if declarator is None or declarator.type != "operator_cast":
        return
    first = inner = declarator.child_by_field_name("declarator")
    decoration = ""
    while inner is not None and inner.type in ("abstract_pointer_declarator", "abstract_reference_declarator"):
        decoration += "*" if inner.type == "abstract_pointer_declarator" else "&"
        inner = inner.child_by_field_name("declarator") or (inner.named_children[-1] if inner.named_children
                                                             else None)
    if inner is None or inner.type != "abstract_function_declarator":
        return
    target = " ".join(reader.source[declarator.start_byte + len(b"operator"):first.start_byte].decode(
        "utf-8", "replace").split()) + decoration
    owner = owner[:-2]
    while "<" in owner and _TEMPLATE_ARGS.search(owner):
        owner = _TEMPLATE_ARGS.sub("", owner)   # Box<T>::operator T is the one its class declares
    owner = _qualify(scope, owner) if owner else scope if in_class else ""
    if not owner:
        return   # a conversion is a member: outside a class and unqualified it is not one
    reader.add(span, f"{owner}::operator {target}", "method", public, owner=owner,
               signature=lambda: (_params(inner.child_by_field_name("parameters"), reader), target))


def _function_declarator(node) -> tuple:
    pointers = ""
    while node is not None and node.type in _DECLARATORS:
        if node.type == "function_declarator":
            inner = node.child_by_field_name("declarator")
            if inner is not None and inner.type in _DECLARATORS:   # a function returning a function pointer
                node = inner
                continue
            return node, pointers
        pointers += {"pointer_declarator": "*", "reference_declarator": "&"}.get(node.type, "")
        node = node.child_by_field_name("declarator") or (node.named_children[-1] if node.named_children else None)
    return None, pointers


def _params(node, reader: Reader) -> tuple[Param, ...]:
    found = []
    for child in node.named_children if node is not None else ():
        if child.type not in _PARAMS:
            continue
        type_text = " ".join([*(reader.text(c) for c in child.children if c.type == "type_qualifier"),
                              reader.text(child.child_by_field_name("type"))])   # const char, not char
        declarator = child.child_by_field_name("declarator")
        default = child.child_by_field_name("default_value")
        if declarator is None:
            if type_text == "void" or not type_text:
                if child.type.startswith("variadic"):
                    found.append(Param("..."))
                continue
            found.append(Param(type_text, type_text, reader.text(default) if default is not None else None))
            continue
        name, decoration = _declared_name(declarator, reader)
        typed = (type_text + decoration).strip()
        # An unnamed one (`nixlBackendMD *`) goes by its type, as one without a declarator does.
        found.append(Param(name or typed, typed, reader.text(default) if default is not None else None))
    return tuple(found)


_DECORATIONS = {"pointer_declarator": "*", "reference_declarator": "&", "array_declarator": "[]"}


def _declared_name(node, reader: Reader) -> tuple[str, str]:
    """The identifier a parameter's declarator names ("" when it names none), and what it adds to the type
    (*, &, [])."""
    decoration = ""
    while node is not None and node.type not in ("identifier", "field_identifier"):
        decoration += _DECORATIONS.get(node.type.removeprefix("abstract_"), "")
        inner = node.child_by_field_name("declarator")
        node = inner if inner is not None else (node.named_children[-1] if node.named_children else None)
    return (reader.text(node) if node is not None else ""), decoration


def _qualify(scope: str, name: str) -> str:
    return f"{scope}::{name}" if scope else name
