//! Go's `text/tabwriter`, the column aligner behind every kubectl table.
//!
//! kubectl's output only looks right if alignment follows Go's exact rules: cells are
//! tab-terminated (a line's last cell is never padded), and a column's width is decided per
//! *block* of consecutive lines that have that column, so a line without tabs starts new
//! blocks. `kubectl get` uses minwidth 6, padding 3; `kubectl describe` minwidth 0, padding 2.

/// Align `text` the way `tabwriter.NewWriter(w, minwidth, _, padding, ' ', 0)` would.
pub fn align(text: &str, minwidth: usize, padding: usize) -> String {
    let ends_with_newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut widths = Vec::new();
    format_block(
        &lines,
        0,
        lines.len(),
        minwidth,
        padding,
        &mut widths,
        &mut out,
    );
    if !ends_with_newline {
        out.pop();
    }
    out
}

/// `get`-style tables: minwidth 6, padding 3.
pub fn table(text: &str) -> String {
    align(text, 6, 3)
}

/// `describe`-style sections: minwidth 0, padding 2.
pub fn describe(text: &str) -> String {
    align(text, 0, 2)
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format_block(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    minwidth: usize,
    padding: usize,
    widths: &mut Vec<usize>,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut w = minwidth;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(w);
        format_block(lines, line0, this, minwidth, padding, widths, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() && j + 1 < line.len() {
                for _ in width(cell)..widths[j] {
                    out.push(' ');
                }
            }
        }
        out.push('\n');
    }
}

/// Tab-padded alignment (`tabwriter.NewWriter(w, 0, 8, 1, '\t', 0)`), as kops prints tables:
/// cells are padded with tab characters to the next multiple of 8 columns.
pub fn align_tabs(text: &str) -> String {
    // Recompute with Go's tab rounding: cell width rounded up to a multiple of 8, padding
    // written as tabs.
    let ends_with_newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for l in &lines {
        for (j, c) in l.iter().enumerate() {
            if j + 1 < l.len() {
                widths[j] = widths[j].max(width(c) + 1);
            }
        }
    }
    let mut out = String::new();
    for l in &lines {
        for (j, c) in l.iter().enumerate() {
            out.push_str(c);
            if j + 1 < l.len() {
                let cellw = widths[j].div_ceil(8) * 8;
                let n = cellw - width(c);
                for _ in 0..n.div_ceil(8) {
                    out.push('\t');
                }
            }
        }
        out.push('\n');
    }
    if !ends_with_newline {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_get_layout() {
        let t = table("NAME\tREADY\tSTATUS\tRESTARTS\tAGE\nweb-1\t1/1\tRunning\t0\t5s\n");
        assert_eq!(
            t,
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5s\n"
        );
    }

    #[test]
    fn describe_blocks_break_on_tabless_lines() {
        let t = describe(
            "Name:\tx\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tRS/x\n",
        );
        assert_eq!(
            t,
            "Name:       x\nNamespace:  default\nIPs:\n  IP:           10.0.0.1\nControlled By:  RS/x\n"
        );
    }

    #[test]
    fn minwidth_applies() {
        assert_eq!(table("A\tB\n"), "A     B\n");
    }
}
