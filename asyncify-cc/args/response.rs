//! Response files (`@file`): clang reads arguments from them, so asyncify-cc expands them
//! before classifying the arguments.

use std::ffi::OsString;

/// Expands `@file` response files (recursively, GNU quoting rules) so the classification sees the
/// arguments clang will see. An unreadable response file stays as it is (clang will complain).
pub fn expand_response_files(args: &[OsString]) -> Vec<OsString> {
    let mut out = Vec::new();
    expand_into(args, &mut out, 0);
    out
}

/// Appends `args` to `out`, replacing each readable `@file` by its (expanded) contents.
fn expand_into(args: &[OsString], out: &mut Vec<OsString>, depth: usize) {
    for a in args {
        let rsp = a.to_str().and_then(|s| s.strip_prefix('@')).filter(|s| !s.is_empty());
        match rsp.filter(|_| depth < 16).and_then(|p| std::fs::read_to_string(p).ok()) {
            Some(text) => {
                let inner: Vec<OsString> = split_response(&text).into_iter().map(OsString::from).collect();
                expand_into(&inner, out, depth + 1);
            }
            None => out.push(a.clone()),
        }
    }
}

/// Splits response-file text into arguments: whitespace separates, `'...'` and `"..."` quote,
/// a backslash escapes the next character (outside single quotes).
fn split_response(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_arg = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut cur));
                    in_arg = false;
                }
            }
            '\\' => {
                in_arg = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '\'' | '"' => {
                in_arg = true;
                let q = c;
                while let Some(n) = chars.next() {
                    if n == q {
                        break;
                    }
                    if n == '\\' && q == '"' {
                        if let Some(m) = chars.next() {
                            cur.push(m);
                        }
                        continue;
                    }
                    cur.push(n);
                }
            }
            c => {
                in_arg = true;
                cur.push(c);
            }
        }
    }
    if in_arg {
        args.push(cur);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_files() {
        assert_eq!(split_response("a 'b c' \"d\\\"e\" f\\ g\n"), vec!["a", "b c", "d\"e", "f g"]);
        let dir = std::env::temp_dir().join(format!("asyncify-cc-rsp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rsp = dir.join("args.rsp");
        std::fs::write(&rsp, "-c a.c -o a.o").unwrap();
        let args = vec![OsString::from(format!("@{}", rsp.display()))];
        let ex = expand_response_files(&args);
        assert_eq!(ex, vec!["-c", "a.c", "-o", "a.o"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
