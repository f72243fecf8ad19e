//! The 2D-canvas [`Surface`] for the painter.
use web_sys::CanvasRenderingContext2d;

use crate::render::{Rect, Segment, Surface};

/// A canvas context plus the last styles set (to skip redundant JS calls).
pub struct Canvas2d {
    ctx: CanvasRenderingContext2d,
    fill: String,
    font: String,
    alpha: f64,
}

impl Canvas2d {
    /// Wrap a context.
    pub fn new(ctx: CanvasRenderingContext2d) -> Self {
        Canvas2d {
            ctx,
            fill: String::new(),
            font: String::new(),
            alpha: 1.0,
        }
    }

    /// Scale for the device pixel ratio (resets any other transform).
    pub fn set_transform(&mut self, dpr: f64) {
        let _ = self.ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    }

    fn set_fill(&mut self, c: &str) {
        if self.fill != c {
            self.ctx.set_fill_style_str(c);
            c.clone_into(&mut self.fill);
        }
    }

    fn set_alpha(&mut self, a: f64) {
        if (self.alpha - a).abs() > 1e-3 {
            self.ctx.set_global_alpha(a);
            self.alpha = a;
        }
    }
}

impl Surface for Canvas2d {
    fn clear(&mut self, w: f64, h: f64, colour: &str) {
        self.set_alpha(1.0);
        self.set_fill(colour);
        self.ctx.fill_rect(0.0, 0.0, w, h);
        self.font.clear();
    }
    fn fill_rect(&mut self, r: Rect, colour: &str, alpha: f64) {
        if alpha <= 0.01 || r.w <= 0.0 {
            return;
        }
        self.set_alpha(alpha);
        self.set_fill(colour);
        self.ctx.fill_rect(r.x, r.y, r.w, r.h);
    }
    fn fill_rects(&mut self, rects: &[Rect], colour: &str, alpha: f64) {
        if rects.is_empty() || alpha <= 0.01 {
            return;
        }
        self.set_alpha(alpha);
        self.set_fill(colour);
        self.ctx.begin_path();
        for r in rects {
            self.ctx.rect(r.x, r.y, r.w, r.h);
        }
        self.ctx.fill();
    }
    fn stroke_rect(&mut self, r: Rect, colour: &str, width: f64, dashed: bool, alpha: f64) {
        self.stroke_rects(std::slice::from_ref(&r), colour, width, dashed, alpha);
    }
    fn stroke_rects(&mut self, rects: &[Rect], colour: &str, width: f64, dashed: bool, alpha: f64) {
        if rects.is_empty() || alpha <= 0.01 {
            return;
        }
        self.set_alpha(alpha);
        self.ctx.set_stroke_style_str(colour);
        self.ctx.set_line_width(width);
        if dashed {
            let dash = js_sys::Array::of2(&3.0.into(), &2.0.into());
            let _ = self.ctx.set_line_dash(&dash);
        }
        self.ctx.begin_path();
        for r in rects {
            self.ctx.rect(r.x + 0.5, r.y + 0.5, r.w - 1.0, r.h - 1.0);
        }
        self.ctx.stroke();
        if dashed {
            let _ = self.ctx.set_line_dash(&js_sys::Array::new());
        }
    }
    fn lines(&mut self, segs: &[Segment], colour: &str, width: f64, alpha: f64) {
        if segs.is_empty() || alpha <= 0.01 {
            return;
        }
        self.set_alpha(alpha);
        self.ctx.set_stroke_style_str(colour);
        self.ctx.set_line_width(width);
        self.ctx.begin_path();
        for (a, b) in segs {
            self.ctx.move_to(a.0, a.1);
            self.ctx.line_to(b.0, b.1);
        }
        self.ctx.stroke();
    }
    fn line(&mut self, a: (f64, f64), b: (f64, f64), colour: &str, width: f64, alpha: f64) {
        if alpha <= 0.01 {
            return;
        }
        self.set_alpha(alpha);
        self.ctx.set_stroke_style_str(colour);
        self.ctx.set_line_width(width);
        self.ctx.begin_path();
        self.ctx.move_to(a.0, a.1);
        self.ctx.line_to(b.0, b.1);
        self.ctx.stroke();
    }
    fn dot(&mut self, c: (f64, f64), radius: f64, colour: &str) {
        self.set_alpha(1.0);
        self.set_fill(colour);
        self.ctx.begin_path();
        let _ = self.ctx.arc(c.0, c.1, radius, 0.0, std::f64::consts::TAU);
        self.ctx.fill();
    }
    fn text(&mut self, x: f64, y: f64, s: &str, colour: &str, px: f64) {
        self.set_alpha(1.0);
        self.set_fill(colour);
        let font = format!("{px}px system-ui, sans-serif");
        if font != self.font {
            self.ctx.set_font(&font);
            self.font = font;
        }
        let _ = self.ctx.fill_text(s, x, y);
    }
}
