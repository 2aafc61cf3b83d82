//! View definitions without the column aliases of later set-operation branches.
//!
//! Only the first branch of a `UNION`/`INTERSECT`/`EXCEPT` names the result's columns; an alias
//! in any other branch has no effect. PostgreSQL still stores and prints one when the branch's
//! column has a name other than `?column?`, and its own output does not read back the same:
//! `SELECT …, NULL FROM t` in a second branch is printed as `NULL::integer`, and that text, read
//! again, names the column after the cast and is printed `NULL::integer AS int4` from then on
//! (MusicBrainz's `release_event` view). A view built from a dump, or from the definition
//! `autogen pull` wrote, would differ from the original in text only. Views are compared
//! without those aliases, and a view re-created from that spelling reads back the same.

/// `definition` without the aliases of the select-list items of every set-operation branch but
/// the first (at any nesting: subqueries in `FROM`, in expressions, in `WITH`); `None` when it
/// has none.
pub(crate) fn without_later_branch_aliases(definition: &str) -> Option<String> {
    let tokens = lex(definition)?;
    let (nodes, rest) = tree(&tokens, None)?;
    if rest != tokens.len() {
        return None;
    }
    let mut cuts = Vec::new();
    visit(&nodes, false, &mut cuts);
    if cuts.is_empty() {
        return None;
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(definition.len());
    let mut kept_from = 0;
    for (start, end) in cuts {
        out.push_str(&definition[kept_from..start]);
        kept_from = end;
    }
    out.push_str(&definition[kept_from..]);
    Some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A keyword, unquoted identifier or number.
    Word,
    /// A `"quoted identifier"`.
    Quoted,
    /// A `'string literal'`.
    Literal,
    Open(char),
    Close(char),
    Comma,
    /// Any other character (operators, `.`, `:`, `*`, `;`).
    Punct,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
    end: usize,
}

/// The tokens of `text` (from autogen-sql, PostgreSQL's lexical rules), trivia left out;
/// `None` on an unterminated quote or comment.
fn lex(text: &str) -> Option<Vec<Token<'_>>> {
    use autogen_sql::TokenKind as Sql;
    let mut tokens = Vec::new();
    for token in autogen_sql::lex(text) {
        if token.unterminated {
            return None;
        }
        let kind = match token.kind {
            _ if token.is_trivia() => continue,
            Sql::Identifier | Sql::Number => TokenKind::Word,
            Sql::QuotedIdentifier | Sql::UnicodeIdentifier => TokenKind::Quoted,
            Sql::String(_) => TokenKind::Literal,
            Sql::OpenParen => TokenKind::Open('('),
            Sql::OpenBracket => TokenKind::Open('['),
            Sql::CloseParen => TokenKind::Close(')'),
            Sql::CloseBracket => TokenKind::Close(']'),
            Sql::Comma => TokenKind::Comma,
            _ => TokenKind::Punct,
        };
        tokens.push(Token {
            kind,
            text: token.text,
            end: token.start + token.text.len(),
        });
    }
    Some(tokens)
}

/// A token, or a parenthesized / bracketed group of nodes.
#[derive(Debug)]
enum Node<'a> {
    Token(Token<'a>),
    Group {
        open: char,
        children: Vec<Node<'a>>,
        end: usize,
    },
}

impl Node<'_> {
    fn end(&self) -> usize {
        match self {
            Node::Token(token) => token.end,
            Node::Group { end, .. } => *end,
        }
    }

    fn word(&self) -> Option<&str> {
        match self {
            Node::Token(token) if token.kind == TokenKind::Word => Some(token.text),
            _ => None,
        }
    }
}

/// The nodes of `tokens` up to the close matching `closing` (or the end), and the index of
/// the token after them; `None` when the brackets do not match.
fn tree<'a>(tokens: &[Token<'a>], closing: Option<char>) -> Option<(Vec<Node<'a>>, usize)> {
    let mut nodes = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        let token = tokens[index];
        match token.kind {
            TokenKind::Open(open) => {
                let close = if open == '(' { ')' } else { ']' };
                let (children, used) = tree(&tokens[index + 1..], Some(close))?;
                let end = tokens.get(index + used)?.end;
                nodes.push(Node::Group {
                    open,
                    children,
                    end,
                });
                index += used + 1;
            }
            TokenKind::Close(close) => {
                return (Some(close) == closing).then_some((nodes, index + 1));
            }
            _ => {
                nodes.push(Node::Token(token));
                index += 1;
            }
        }
    }
    closing.is_none().then_some((nodes, index))
}

const SET_OPERATIONS: [&str; 3] = ["UNION", "INTERSECT", "EXCEPT"];

/// Collects the byte ranges of the aliases to cut in `nodes`, a query or expression scope;
/// `later` when the scope is a parenthesized branch after the first of a set operation.
fn visit(nodes: &[Node<'_>], later: bool, cuts: &mut Vec<(usize, usize)>) {
    let segments = branches(nodes);
    let set_operation = segments.len() > 1;
    for (position, segment) in segments.iter().enumerate() {
        let segment_later = later || (set_operation && position > 0);
        if let [
            Node::Group {
                open: '(',
                children,
                ..
            },
        ] = segment
        {
            // A parenthesized branch: its own first leaf is first only if it is.
            visit(children, segment_later, cuts);
            continue;
        }
        if segment_later && segment.first().and_then(Node::word) == Some("SELECT") {
            cut_select_list_aliases(segment, cuts);
        }
        for node in *segment {
            if let Node::Group { children, .. } = node {
                visit(children, false, cuts);
            }
        }
    }
}

/// `nodes` split at the set-operation keywords (with their `ALL`/`DISTINCT`).
fn branches<'n, 'a>(nodes: &'n [Node<'a>]) -> Vec<&'n [Node<'a>]> {
    let mut segments = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < nodes.len() {
        if nodes[index]
            .word()
            .is_some_and(|word| SET_OPERATIONS.contains(&word))
        {
            segments.push(&nodes[start..index]);
            index += 1;
            if nodes
                .get(index)
                .and_then(Node::word)
                .is_some_and(|word| word == "ALL" || word == "DISTINCT")
            {
                index += 1;
            }
            start = index;
        } else {
            index += 1;
        }
    }
    segments.push(&nodes[start..]);
    segments
}

/// The clauses that end a select list.
const AFTER_SELECT_LIST: [&str; 11] = [
    "FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET", "FETCH", "FOR",
    "INTO",
];

/// Records the ` AS alias` of each item of the select list of `select` (`SELECT …`).
fn cut_select_list_aliases(select: &[Node<'_>], cuts: &mut Vec<(usize, usize)>) {
    let mut index = 1;
    // `DISTINCT [ON (…)]` / `ALL` before the list.
    if select.get(index).and_then(Node::word) == Some("DISTINCT") {
        index += 1;
        if select.get(index).and_then(Node::word) == Some("ON") {
            index += 2;
        }
    } else if select.get(index).and_then(Node::word) == Some("ALL") {
        index += 1;
    }
    let list_start = index.min(select.len());
    let mut list_end = select.len();
    for position in list_start..select.len() {
        let Some(word) = select[position].word() else {
            continue;
        };
        // `a IS [NOT] DISTINCT FROM b` is an expression, not the FROM clause.
        let after_distinct = position > 0 && select[position - 1].word() == Some("DISTINCT");
        if AFTER_SELECT_LIST.contains(&word) && !(word == "FROM" && after_distinct) {
            list_end = position;
            break;
        }
    }
    let list = &select[list_start..list_end];
    for item in
        list.split(|node| matches!(node, Node::Token(token) if token.kind == TokenKind::Comma))
    {
        if let [.., before, as_keyword, Node::Token(alias)] = item
            && as_keyword.word() == Some("AS")
            && matches!(alias.kind, TokenKind::Word | TokenKind::Quoted)
        {
            cuts.push((before.end(), alias.end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_later_branch_aliases as respell;

    #[test]
    fn aliases_of_later_branches_are_dropped() {
        assert_eq!(
            respell(
                " SELECT q.a,\n    q.b\n   FROM ( SELECT t.a,\n            t.b\n           FROM s.t\n        UNION ALL\n         SELECT u.a,\n            NULL::integer AS int4\n           FROM s.u) q"
            )
            .as_deref(),
            Some(
                " SELECT q.a,\n    q.b\n   FROM ( SELECT t.a,\n            t.b\n           FROM s.t\n        UNION ALL\n         SELECT u.a,\n            NULL::integer\n           FROM s.u) q"
            )
        );
        assert_eq!(
            respell(
                "SELECT 1 AS x UNION SELECT 2 AS \"Y\" INTERSECT SELECT DISTINCT 3 AS z, (4) AS w FROM t"
            )
            .as_deref(),
            Some("SELECT 1 AS x UNION SELECT 2 INTERSECT SELECT DISTINCT 3, (4) FROM t")
        );
    }

    #[test]
    fn parenthesized_branches_keep_only_the_first_leafs_names() {
        assert_eq!(
            respell("(SELECT 1 AS a UNION SELECT 2 AS b) EXCEPT (SELECT 3 AS c LIMIT 1)")
                .as_deref(),
            Some("(SELECT 1 AS a UNION SELECT 2) EXCEPT (SELECT 3 LIMIT 1)")
        );
    }

    #[test]
    fn first_branches_and_expressions_keep_their_aliases() {
        for definition in [
            "SELECT t.a AS b FROM s.t",
            "SELECT t.a AS b FROM s.t UNION SELECT u.c FROM s.u",
            "SELECT (t.a IS DISTINCT FROM t.b) AS d FROM s.t",
            "SELECT x.a FROM (SELECT CAST(t.a AS integer) AS a FROM s.t) x",
            "SELECT 'UNION SELECT 1 AS x' AS q",
            "SELECT t.a FROM s.t WHERE t.a IN (SELECT u.a AS a FROM s.u)",
        ] {
            assert_eq!(respell(definition), None, "{definition}");
        }
    }

    #[test]
    fn later_branches_inside_expressions_and_is_distinct_from() {
        assert_eq!(
            respell(
                "SELECT t.a FROM s.t WHERE t.a IN (SELECT u.a FROM s.u UNION SELECT (v.a IS DISTINCT FROM v.b)::integer AS int4 FROM s.v)"
            )
            .as_deref(),
            Some(
                "SELECT t.a FROM s.t WHERE t.a IN (SELECT u.a FROM s.u UNION SELECT (v.a IS DISTINCT FROM v.b)::integer FROM s.v)"
            )
        );
    }
}
