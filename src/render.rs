//! The cluster canvas: a pure layout of the [`View`] into rectangles, then a 2D-canvas painter
//! that animates towards that layout (positions ease, objects fade in and out, state changes
//! flash), after kube-ops-view: nodes as boxes with one cell per CPU and a memory bar, pods as
//! tiles coloured by owner, with a shape per state so colour is never the only cue.
use std::collections::BTreeMap;

use crate::view::{NodeState, ObjRef, PodState, View};

/// Okabe–Ito: a palette that stays distinct under the common colour-vision deficiencies.
pub const PALETTE: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#CC79A7", "#F0E442", "#999999",
];
const VERMILLION: &str = "#D55E00";

/// An axis-aligned rectangle, CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
}

/// Where everything goes for one view and canvas size.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Pod tile size.
    pub tile: f64,
    /// Control-plane box.
    pub control_plane: Rect,
    /// Service boxes by name.
    pub services: Vec<(String, Rect)>,
    /// Instance-group labels.
    pub groups: Vec<(String, f64, f64)>,
    /// Node boxes by name.
    pub nodes: BTreeMap<String, Rect>,
    /// Pod tiles by name.
    pub pods: BTreeMap<String, Rect>,
    /// The lane for unscheduled pods.
    pub pending: Rect,
}

const COLS: usize = 6;

/// Lay `view` out in a `w`×`h` canvas; shrinks the tiles until everything fits.
pub fn layout(view: &View, w: f64, h: f64) -> Layout {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pending = 0usize;
    for p in &view.pods {
        match &p.node {
            Some(n) => *per_node.entry(n.as_str()).or_default() += 1,
            None => pending += 1,
        }
    }
    let max_pods = per_node.values().copied().max().unwrap_or(0).max(COLS * 2);
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, n) in view.nodes.iter().enumerate() {
        match groups.iter_mut().find(|g| g.0 == n.group) {
            Some(g) => g.1.push(i),
            None => groups.push((n.group.as_str(), vec![i])),
        }
    }
    let top = 70.0;
    // Find the largest tile that fits from the boxes alone, then place the pods once: placing
    // 5,000 pods at each of up to nine tile sizes was most of a layout's cost.
    let tiles = [14.0, 12.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 2.0];
    let tile = tiles
        .iter()
        .copied()
        .find(|&tile| {
            let l = try_layout(view, &groups, w, top, tile, max_pods, pending, false);
            l.pending.y + l.pending.h <= h
        })
        .unwrap_or(2.0);
    try_layout(view, &groups, w, top, tile, max_pods, pending, true)
}

#[allow(clippy::too_many_arguments, clippy::cast_precision_loss)]
fn try_layout(
    view: &View,
    groups: &[(&str, Vec<usize>)],
    w: f64,
    top: f64,
    tile: f64,
    max_pods: usize,
    pending: usize,
    place_pods: bool,
) -> Layout {
    let pad = 8.0;
    let gap = if tile >= 6.0 { 8.0 } else { 4.0 };
    let header = if tile >= 6.0 { 16.0 } else { 5.0 };
    let rows = max_pods.div_ceil(COLS) as f64;
    let node_w = COLS as f64 * (tile + 2.0) + 8.0 + 6.0;
    let node_h = header + 6.0 + rows * (tile + 2.0) + 6.0;
    let mut l = Layout {
        tile,
        ..Layout::default()
    };
    l.control_plane = Rect {
        x: pad,
        y: pad,
        w: 150.0,
        h: 48.0,
    };
    let mut sx = pad + 170.0;
    for s in &view.services {
        l.services.push((
            s.name.clone(),
            Rect {
                x: sx,
                y: pad,
                w: 150.0,
                h: 48.0,
            },
        ));
        sx += 160.0;
    }
    let mut y = top;
    for (name, idx) in groups {
        if tile >= 6.0 {
            l.groups.push(((*name).to_string(), pad, y + 10.0));
            y += 16.0;
        }
        let mut x = pad;
        for &i in idx {
            if x + node_w > w - pad && x > pad {
                x = pad;
                y += node_h + gap;
            }
            let r = Rect {
                x,
                y,
                w: node_w,
                h: node_h,
            };
            l.nodes.insert(view.nodes[i].name.clone(), r);
            x += node_w + gap;
        }
        y += node_h + gap;
    }
    let mut filled: BTreeMap<&str, usize> = BTreeMap::new();
    let pend_y = y + if tile >= 6.0 { 16.0 } else { 4.0 };
    let per_row = (((w - 2.0 * pad) / (tile + 2.0)).floor() as usize).max(1);
    let mut pend_i = 0usize;
    for p in view.pods.iter().filter(|_| place_pods) {
        let r = match p
            .node
            .as_deref()
            .and_then(|n| l.nodes.get(n).map(|r| (n, *r)))
        {
            Some((n, nr)) => {
                let k = filled.entry(n).or_default();
                let (c, row) = (*k % COLS, *k / COLS);
                *k += 1;
                Rect {
                    x: nr.x + 4.0 + c as f64 * (tile + 2.0),
                    y: nr.y + header + 6.0 + row as f64 * (tile + 2.0),
                    w: tile,
                    h: tile,
                }
            }
            None => {
                let (c, row) = (pend_i % per_row, pend_i / per_row);
                pend_i += 1;
                Rect {
                    x: pad + c as f64 * (tile + 2.0),
                    y: pend_y + row as f64 * (tile + 2.0),
                    w: tile,
                    h: tile,
                }
            }
        };
        l.pods.insert(p.name.clone(), r);
    }
    let pend_rows = pending.div_ceil(per_row).max(1) as f64;
    l.pending = Rect {
        x: pad,
        y: pend_y,
        w: w - 2.0 * pad,
        h: pend_rows * (tile + 2.0),
    };
    l
}

/// Owner → palette colour (stable hash).
pub fn owner_colour(owner: &str) -> &'static str {
    let mut h: u32 = 2_166_136_261;
    for b in owner.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
    }
    PALETTE[(h as usize) % (PALETTE.len() - 1)]
}

#[derive(Debug, Clone)]
struct Anim {
    r: Rect,
    alpha: f64,
    state_changed_at: f64,
    state: Option<PodState>,
    /// When a node left the layout (pods that left are kept apart, in `gone_pods`).
    gone_at: Option<f64>,
    colour: &'static str,
}

/// A pod of the current layout: where it is in the view, where it goes, how it looks now.
#[derive(Debug, Clone)]
struct PodSlot {
    /// Index in `View::pods` of the view the slots were aligned with.
    view_index: usize,
    name: String,
    target: Rect,
    anim: Anim,
}

#[derive(Debug, Clone)]
struct Dot {
    path: [(f64, f64); 3],
    t0: f64,
    ok: bool,
}

/// What a frame showed: (view version, virtual ms, hover, selection, width bits, height bits).
type FrameKey = (u64, Option<ObjRef>, Option<ObjRef>, u64, u64);

/// The painter; keeps only presentation state (eased positions, fades, request dots).
#[derive(Default)]
pub struct Renderer {
    /// The view's pods that have a place in the layout, in the view's order. Aligned by name
    /// once per new view (see [`Renderer::align_pods`]), so a frame walks them by index: with
    /// three name-keyed lookups per pod per frame, drawing 5,000 pods was half of a frame.
    pods: Vec<PodSlot>,
    /// Pods gone from the view, fading out.
    gone_pods: Vec<(String, Anim)>,
    nodes: BTreeMap<String, Anim>,
    dots: Vec<Dot>,
    layout: Layout,
    layout_key: Option<(u64, u64, u64)>,
    batch: PodBatches,
    last_wall: f64,
    /// Skip easing, fading and flashing.
    pub reduced_motion: bool,
    /// Dark theme colours.
    pub dark: bool,
    /// Highlighted object.
    pub selected: Option<ObjRef>,
    /// Object under the pointer.
    pub hover: Option<ObjRef>,
    /// Frames drawn (for the benchmark).
    pub frames: u64,
    /// Whether the last frame had motion in progress (so the next one must be drawn).
    animating: bool,
    /// What the last frame showed: (view version, virtual ms, hover, selection, w, h).
    last_key: Option<FrameKey>,
}

/// A line from one point to another.
pub type Segment = ((f64, f64), (f64, f64));

/// One frame's pod shapes grouped by style, each group painted as one canvas path: a
/// 5,000-pod cluster mid-rollout (pending, pulling, starting — every one an outline, a cross or
/// a half fill) was ~10,000 canvas calls, each setting its style, per frame. Alphas are
/// rounded to 1/32 so pods fading or pulsing together share a group. Fills paint first (base
/// layer, then overlays such as a running pod's hollow centre), then outlines, then lines.
#[derive(Default)]
struct PodBatches {
    /// (layer, colour, alpha step) → rectangles.
    fills: BTreeMap<(u8, &'static str, u8), Vec<Rect>>,
    /// (colour, alpha step, width in tenths, dashed) → rectangles.
    strokes: BTreeMap<(&'static str, u8, u8, bool), Vec<Rect>>,
    /// (colour, alpha step, width in tenths) → segments.
    lines: BTreeMap<(&'static str, u8, u8), Vec<Segment>>,
}

/// Alpha in 1/32 steps (0 = invisible).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn alpha_step(a: f64) -> u8 {
    (a.clamp(0.0, 1.0) * 32.0).round() as u8
}

/// Line width in tenths of a pixel.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn width_step(w: f64) -> u8 {
    (w.clamp(0.0, 25.0) * 10.0).round() as u8
}

impl PodBatches {
    fn fill(&mut self, layer: u8, r: Rect, colour: &'static str, alpha: f64) {
        let a = alpha_step(alpha);
        if a > 0 && r.w > 0.0 {
            self.fills.entry((layer, colour, a)).or_default().push(r);
        }
    }

    fn stroke(&mut self, r: Rect, colour: &'static str, width: f64, dashed: bool, alpha: f64) {
        let a = alpha_step(alpha);
        if a > 0 {
            let key = (colour, a, width_step(width), dashed);
            self.strokes.entry(key).or_default().push(r);
        }
    }

    fn line(&mut self, s: Segment, colour: &'static str, width: f64, alpha: f64) {
        let a = alpha_step(alpha);
        if a > 0 {
            let key = (colour, a, width_step(width));
            self.lines.entry(key).or_default().push(s);
        }
    }

    /// Paint every group, then empty them (keeping their memory for the next frame).
    fn flush(&mut self, s: &mut dyn Surface) {
        for ((_, colour, a), rects) in &mut self.fills {
            s.fill_rects(rects, colour, f64::from(*a) / 32.0);
            rects.clear();
        }
        for ((colour, a, w, dashed), rects) in &mut self.strokes {
            s.stroke_rects(
                rects,
                colour,
                f64::from(*w) / 10.0,
                *dashed,
                f64::from(*a) / 32.0,
            );
            rects.clear();
        }
        for ((colour, a, w), segs) in &mut self.lines {
            s.lines(segs, colour, f64::from(*w) / 10.0, f64::from(*a) / 32.0);
            segs.clear();
        }
    }
}

/// Minimal drawing surface, so the painter can be driven by a real canvas or a test double.
pub trait Surface {
    /// Clear to a colour.
    fn clear(&mut self, w: f64, h: f64, colour: &str);
    /// Fill a rectangle.
    fn fill_rect(&mut self, r: Rect, colour: &str, alpha: f64);
    /// Fill many rectangles of one colour (one path, one fill).
    fn fill_rects(&mut self, rects: &[Rect], colour: &str, alpha: f64) {
        for r in rects {
            self.fill_rect(*r, colour, alpha);
        }
    }
    /// Stroke a rectangle.
    fn stroke_rect(&mut self, r: Rect, colour: &str, width: f64, dashed: bool, alpha: f64);
    /// Stroke many rectangles of one style (one path, one stroke).
    fn stroke_rects(&mut self, rects: &[Rect], colour: &str, width: f64, dashed: bool, alpha: f64) {
        for r in rects {
            self.stroke_rect(*r, colour, width, dashed, alpha);
        }
    }
    /// Draw a line.
    fn line(&mut self, a: (f64, f64), b: (f64, f64), colour: &str, width: f64, alpha: f64);
    /// Draw many lines of one style (one path, one stroke).
    fn lines(&mut self, segs: &[Segment], colour: &str, width: f64, alpha: f64) {
        for (a, b) in segs {
            self.line(*a, *b, colour, width, alpha);
        }
    }
    /// Draw a filled circle.
    fn dot(&mut self, c: (f64, f64), radius: f64, colour: &str);
    /// Draw text (left-aligned, baseline at y).
    fn text(&mut self, x: f64, y: f64, s: &str, colour: &str, px: f64);
}

impl Renderer {
    /// The layout of the last frame.
    #[cfg(test)]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Topmost object at a canvas point.
    pub fn hit(&self, x: f64, y: f64) -> Option<ObjRef> {
        if let Some((n, _)) = self.layout.pods.iter().find(|(_, r)| r.contains(x, y)) {
            return Some(ObjRef::Pod(n.clone()));
        }
        if let Some((n, _)) = self.layout.nodes.iter().find(|(_, r)| r.contains(x, y)) {
            return Some(ObjRef::Node(n.clone()));
        }
        if let Some((n, _)) = self.layout.services.iter().find(|(_, r)| r.contains(x, y)) {
            return Some(ObjRef::Service(n.clone()));
        }
        self.layout
            .control_plane
            .contains(x, y)
            .then_some(ObjRef::ControlPlane)
    }

    /// Force the next frame to be drawn (canvas resized, theme changed).
    pub fn invalidate(&mut self) {
        self.last_key = None;
    }

    /// Whether a frame at this state would differ from the last one drawn.
    pub fn needs_draw(&self, view: &View, w: f64, h: f64) -> bool {
        self.animating || self.last_key != Some(self.key(view, w, h))
    }

    /// What a frame depends on. Not the virtual clock: nothing on the canvas shows it, and
    /// with it in the key a playing 5,000-pod cluster was repainted every frame even when
    /// nothing had changed since the last snapshot.
    fn key(&self, view: &View, w: f64, h: f64) -> FrameKey {
        (
            view.version,
            self.hover.clone(),
            self.selected.clone(),
            w.to_bits(),
            h.to_bits(),
        )
    }

    /// Line the pod animations up with a new view (after its layout): a pod keeps its
    /// animation by name, a new one starts small at its place, and one no longer laid out
    /// fades where it was. A pod that comes back while fading picks up where it is.
    fn align_pods(&mut self, view: &View, wall_ms: f64) {
        let mut prev: BTreeMap<String, Anim> =
            self.pods.drain(..).map(|sl| (sl.name, sl.anim)).collect();
        for (name, a) in self.gone_pods.drain(..) {
            prev.entry(name).or_insert(a);
        }
        for (i, p) in view.pods.iter().enumerate() {
            let Some(&target) = self.layout.pods.get(&p.name) else {
                continue;
            };
            let anim = prev.remove(&p.name).unwrap_or_else(|| Anim {
                r: Rect {
                    x: target.cx(),
                    y: target.cy(),
                    w: 0.0,
                    h: 0.0,
                },
                alpha: 0.0,
                state_changed_at: wall_ms,
                state: None,
                gone_at: None,
                colour: owner_colour(&p.owner),
            });
            self.pods.push(PodSlot {
                view_index: i,
                name: p.name.clone(),
                target,
                anim,
            });
        }
        self.gone_pods.extend(prev);
    }

    /// Draw one frame of `view` at wall time `wall_ms` (from the render loop only).
    #[allow(clippy::too_many_lines)]
    pub fn draw(&mut self, s: &mut dyn Surface, view: &View, w: f64, h: f64, wall_ms: f64) {
        self.frames += 1;
        self.last_key = Some(self.key(view, w, h));
        let mut moving = false;
        let dt = (wall_ms - self.last_wall).clamp(0.0, 250.0);
        self.last_wall = wall_ms;
        let ease = if self.reduced_motion {
            1.0
        } else {
            1.0 - (-dt / 90.0).exp()
        };
        let fade = if self.reduced_motion { 1.0 } else { dt / 300.0 };
        let key = (view.version, w.to_bits(), h.to_bits());
        if self.layout_key != Some(key) {
            self.layout = layout(view, w, h);
            self.layout_key = Some(key);
            self.align_pods(view, wall_ms);
        }
        let node_index: BTreeMap<&str, &crate::view::NodeView> =
            view.nodes.iter().map(|n| (n.name.as_str(), n)).collect();
        let (bg, fg, muted, panel) = if self.dark {
            ("#0b1220", "#e2e8f0", "#64748b", "#162033")
        } else {
            ("#f8fafc", "#0f172a", "#94a3b8", "#ffffff")
        };
        s.clear(w, h, bg);

        // control plane and services
        let cp = self.layout.control_plane;
        s.fill_rect(cp, panel, 1.0);
        s.stroke_rect(cp, fg, 1.0, false, 0.6);
        s.text(cp.x + 8.0, cp.y + 18.0, "control plane", fg, 12.0);
        s.text(cp.x + 8.0, cp.y + 36.0, "api · sched · ctrl", muted, 11.0);
        for (name, r) in &self.layout.services {
            let svc = view.services.iter().find(|x| &x.name == name);
            s.fill_rect(*r, panel, 1.0);
            let sel = self.selected == Some(ObjRef::Service(name.clone()));
            s.stroke_rect(
                *r,
                if sel { "#0072B2" } else { fg },
                if sel { 2.5 } else { 1.0 },
                false,
                0.8,
            );
            s.text(r.x + 8.0, r.y + 18.0, &clip(name, 20), fg, 12.0);
            if let Some(svc) = svc {
                let ext = svc.external.clone().unwrap_or_else(|| "<pending>".into());
                let line = format!(
                    "{} {} · {} ep",
                    short_kind(&svc.kind),
                    clip(&ext, 12),
                    svc.endpoints.len()
                );
                s.text(r.x + 8.0, r.y + 36.0, &line, muted, 11.0);
            }
        }
        for (name, x, y) in &self.layout.groups {
            let label = if name.is_empty() {
                "nodes"
            } else {
                name.as_str()
            };
            s.text(*x, *y, &format!("instance group: {label}"), muted, 11.0);
        }
        if view.pods.iter().any(|p| p.node.is_none()) {
            let pr = self.layout.pending;
            s.text(pr.x, pr.y - 4.0, "Pending (not scheduled)", muted, 11.0);
        }

        // nodes: ease towards their boxes, fade in/out
        for n in &view.nodes {
            let Some(&target) = self.layout.nodes.get(&n.name) else {
                continue;
            };
            if !self.nodes.contains_key(&n.name) {
                let fresh = Anim {
                    r: target,
                    alpha: 0.0,
                    state_changed_at: wall_ms,
                    state: None,
                    gone_at: None,
                    colour: "",
                };
                self.nodes.insert(n.name.clone(), fresh);
            }
            let Some(a) = self.nodes.get_mut(&n.name) else {
                continue;
            };
            a.gone_at = None;
            a.r = lerp_rect(a.r, target, ease);
            a.alpha = (a.alpha + fade).min(1.0);
            moving |= a.r != target || a.alpha < 1.0;
        }
        for (name, a) in &mut self.nodes {
            if !self.layout.nodes.contains_key(name) && a.gone_at.is_none() {
                a.gone_at = Some(wall_ms);
            }
        }
        self.nodes
            .retain(|_, a| a.gone_at.is_none() || a.alpha > 0.0);
        for (name, a) in &mut self.nodes {
            if a.gone_at.is_some() {
                a.alpha = (a.alpha - fade).max(0.0);
                moving = true;
            }
            let n = node_index.get(name.as_str()).copied();
            let r = a.r;
            s.fill_rect(r, panel, a.alpha);
            let (border, dashed) = match n.map(|n| n.state) {
                Some(NodeState::Ready) | None => (fg, false),
                Some(NodeState::NotReady) => (VERMILLION, true),
                Some(NodeState::Provisioning) => (muted, true),
                Some(NodeState::Terminating) => (VERMILLION, true),
            };
            let sel = self.selected == Some(ObjRef::Node(name.clone()));
            let hov = self.hover == Some(ObjRef::Node(name.clone()));
            let width = if sel {
                2.5
            } else if hov {
                1.8
            } else {
                1.0
            };
            s.stroke_rect(
                r,
                if sel { "#0072B2" } else { border },
                width,
                dashed,
                a.alpha * 0.9,
            );
            let Some(n) = n else { continue };
            let tile = self.layout.tile;
            if tile >= 6.0 {
                let mark = match n.state {
                    NodeState::Ready => "",
                    NodeState::NotReady => " ✕ NotReady",
                    NodeState::Provisioning => " ◌ booting",
                    NodeState::Terminating => " ✕ terminating",
                };
                let cordon = if n.cordoned { " ⊘" } else { "" };
                let taint = if n.taints.is_empty() { "" } else { " ▲" };
                let label = format!("{}{}{}{}", clip(&n.name, 14), cordon, taint, mark);
                s.text(
                    r.x + 4.0,
                    r.y + 12.0,
                    &label,
                    if n.state == NodeState::Ready {
                        fg
                    } else {
                        VERMILLION
                    },
                    10.0,
                );
            }
            // one cell per CPU, filled by requests; a memory bar on the right
            let header = if tile >= 6.0 { 16.0 } else { 5.0 };
            let cores = n.cpu_m.div_ceil(1000).clamp(1, 16);
            #[allow(clippy::cast_precision_loss)]
            let cell_w = (r.w - 14.0) / cores as f64;
            for c in 0..cores {
                #[allow(clippy::cast_precision_loss)]
                let cell = Rect {
                    x: r.x + 4.0 + c as f64 * cell_w,
                    y: r.y + header,
                    w: cell_w - 1.0,
                    h: 4.0,
                };
                s.fill_rect(cell, muted, a.alpha * 0.35);
                let used = n.cpu_req_m.saturating_sub(c * 1000).min(1000);
                #[allow(clippy::cast_precision_loss)]
                let frac = used as f64 / 1000.0;
                if frac > 0.0 {
                    s.fill_rect(
                        Rect {
                            w: (cell_w - 1.0) * frac,
                            ..cell
                        },
                        fg,
                        a.alpha * 0.7,
                    );
                }
            }
            let bar = Rect {
                x: r.x + r.w - 7.0,
                y: r.y + header,
                w: 4.0,
                h: r.h - header - 4.0,
            };
            s.fill_rect(bar, muted, a.alpha * 0.35);
            #[allow(clippy::cast_precision_loss)]
            let mfrac = if n.mem_b == 0 {
                0.0
            } else {
                (n.mem_req_b as f64 / n.mem_b as f64).min(1.0)
            };
            s.fill_rect(
                Rect {
                    y: bar.y + bar.h * (1.0 - mfrac),
                    h: bar.h * mfrac,
                    ..bar
                },
                fg,
                a.alpha * 0.7,
            );
            if n.cordoned {
                // hatching: cordoned nodes take no new pods
                let mut x = r.x;
                while x < r.x + r.w {
                    s.line(
                        (x, r.y + r.h),
                        ((x + 10.0).min(r.x + r.w), r.y + r.h - 10.0),
                        muted,
                        1.0,
                        a.alpha * 0.6,
                    );
                    x += 8.0;
                }
            }
        }

        // pods
        let tile = self.layout.tile;
        let sel_pod = match (&self.selected, &self.hover) {
            (Some(ObjRef::Pod(a)), Some(ObjRef::Pod(b))) => [Some(a.as_str()), Some(b.as_str())],
            (Some(ObjRef::Pod(a)), _) => [Some(a.as_str()), None],
            (_, Some(ObjRef::Pod(b))) => [None, Some(b.as_str())],
            _ => [None, None],
        };
        for slot in &mut self.pods {
            let a = &mut slot.anim;
            if let Some(p) = view.pods.get(slot.view_index) {
                if a.state != Some(p.state) {
                    a.state = Some(p.state);
                    a.state_changed_at = wall_ms;
                }
            }
            a.r = lerp_rect(a.r, slot.target, ease);
            a.alpha = (a.alpha + fade).min(1.0);
            moving |= a.r != slot.target || a.alpha < 1.0;
        }
        self.gone_pods.retain(|(_, a)| a.alpha > 0.0);
        for (_, a) in &mut self.gone_pods {
            a.alpha = (a.alpha - fade).max(0.0);
            a.r = lerp_rect(
                a.r,
                Rect {
                    x: a.r.cx(),
                    y: a.r.cy(),
                    w: 0.0,
                    h: 0.0,
                },
                ease * 0.5,
            );
        }
        let mut batch = std::mem::take(&mut self.batch);
        // drawn over the batches: state glyphs on big tiles, the selection / hover outline
        let mut glyphs: Vec<(f64, f64, &'static str)> = Vec::new();
        let mut marked: Vec<Rect> = Vec::new();
        let pods = self
            .pods
            .iter()
            .map(|sl| (&sl.name, &sl.anim, false))
            .chain(self.gone_pods.iter().map(|(n, a)| (n, a, true)));
        for (name, a, gone) in pods {
            let st = a.state.unwrap_or(PodState::Pending);
            // flashing states pulse (not under reduced motion), like kube-ops-view
            let flashing = matches!(
                st,
                PodState::Pending | PodState::Pulling | PodState::Starting | PodState::CrashLoop
            );
            let pulse = if flashing && !self.reduced_motion {
                0.55 + 0.45 * ((wall_ms / 180.0).sin() * 0.5 + 0.5)
            } else {
                1.0
            };
            let since = wall_ms - a.state_changed_at;
            let alpha = a.alpha * pulse;
            let r = a.r;
            let c = a.colour;
            match st {
                PodState::Ready | PodState::Succeeded => batch.fill(0, r, c, alpha),
                PodState::Running => {
                    batch.fill(0, r, c, alpha);
                    let k = r.w * 0.3;
                    let hole = Rect {
                        x: r.x + k,
                        y: r.y + k,
                        w: r.w - 2.0 * k,
                        h: r.h - 2.0 * k,
                    };
                    batch.fill(1, hole, panel, alpha);
                }
                PodState::Starting => {
                    let lower = Rect {
                        y: r.y + r.h / 2.0,
                        h: r.h / 2.0,
                        ..r
                    };
                    batch.fill(0, lower, c, alpha);
                    batch.stroke(r, c, 1.0, false, alpha);
                }
                PodState::Pulling => {
                    batch.stroke(r, c, 1.0, false, alpha);
                    batch.line(((r.x, r.y + r.h), (r.x + r.w, r.y)), c, 1.0, alpha);
                }
                PodState::Pending => batch.stroke(r, c, 1.0, true, alpha),
                PodState::Terminating => {
                    batch.fill(0, r, c, alpha * 0.35);
                    batch.line(((r.x, r.y), (r.x + r.w, r.y + r.h)), fg, 1.0, alpha);
                    batch.line(((r.x, r.y + r.h), (r.x + r.w, r.y)), fg, 1.0, alpha);
                }
                PodState::CrashLoop => {
                    batch.fill(0, r, c, alpha);
                    batch.stroke(r, VERMILLION, 2.0, false, a.alpha);
                }
                PodState::Evicted => {
                    batch.fill(0, r, muted, alpha * 0.6);
                    batch.line(((r.x, r.y + r.h), (r.x + r.w, r.y)), fg, 1.0, alpha);
                }
            }
            if tile >= 10.0 && r.w >= 9.0 {
                let g = st.glyph();
                if !g.is_empty() {
                    glyphs.push((r.x + 2.0, r.y + r.h - 2.0, g));
                }
            }
            moving |= (flashing && !self.reduced_motion) || gone;
            if since < 600.0 && !self.reduced_motion && !gone {
                moving = true;
                // a brief ring when the state changes
                let k = 1.0 - since / 600.0;
                let g = 3.0 * (1.0 - k);
                let ring = Rect {
                    x: r.x - g,
                    y: r.y - g,
                    w: r.w + 2.0 * g,
                    h: r.h + 2.0 * g,
                };
                batch.stroke(ring, c, 1.0, false, k);
            }
            if sel_pod.contains(&Some(name.as_str())) {
                marked.push(Rect {
                    x: r.x - 2.0,
                    y: r.y - 2.0,
                    w: r.w + 4.0,
                    h: r.h + 4.0,
                });
            }
        }
        batch.flush(s);
        self.batch = batch;
        for (x, y, g) in glyphs {
            s.text(x, y, g, fg, 9.0);
        }
        for r in marked {
            s.stroke_rect(r, "#0072B2", 2.0, false, 1.0);
        }

        // requests: dots along LB → node → pod
        for f in &view.flights {
            let svc = self
                .layout
                .services
                .iter()
                .find(|(n, _)| n == &f.service)
                .map(|(_, r)| *r);
            let node = self.layout.nodes.get(&f.node).copied();
            let pod = self.layout.pods.get(&f.pod).copied();
            if let (Some(sv), Some(nd), Some(pd)) = (svc, node, pod) {
                if self.dots.len() < 400 {
                    self.dots.push(Dot {
                        path: [(sv.cx(), sv.y + sv.h), (nd.cx(), nd.y), (pd.cx(), pd.cy())],
                        t0: wall_ms,
                        ok: f.ok,
                    });
                }
            }
        }
        let dur = if self.reduced_motion { 300.0 } else { 900.0 };
        self.dots.retain(|d| wall_ms - d.t0 < dur);
        moving |= !self.dots.is_empty();
        for d in &self.dots {
            let t = ((wall_ms - d.t0) / dur).clamp(0.0, 1.0);
            let colour = if d.ok { "#009E73" } else { VERMILLION };
            if self.reduced_motion {
                s.line(d.path[0], d.path[1], colour, 1.5, 1.0 - t);
                s.line(d.path[1], d.path[2], colour, 1.5, 1.0 - t);
                continue;
            }
            let (a, b, k) = if t < 0.5 {
                (d.path[0], d.path[1], t * 2.0)
            } else {
                (d.path[1], d.path[2], t * 2.0 - 1.0)
            };
            s.dot((a.0 + (b.0 - a.0) * k, a.1 + (b.1 - a.1) * k), 3.5, colour);
        }
        self.animating = moving;
        if view.nodes.is_empty() {
            s.text(
                16.0,
                top_hint_y(h),
                "No nodes yet — Apply a manifest, or load an example.",
                muted,
                13.0,
            );
        }
    }
}

fn top_hint_y(h: f64) -> f64 {
    (h / 2.0).max(100.0)
}

fn lerp_rect(a: Rect, b: Rect, k: f64) -> Rect {
    if k >= 1.0 || ((a.x - b.x).abs() < 0.3 && (a.y - b.y).abs() < 0.3 && (a.w - b.w).abs() < 0.3) {
        return b;
    }
    Rect {
        x: a.x + (b.x - a.x) * k,
        y: a.y + (b.y - a.y) * k,
        w: a.w + (b.w - a.w) * k,
        h: a.h + (b.h - a.h) * k,
    }
}

fn short_kind(k: &str) -> &str {
    match k {
        "LoadBalancer" => "LB",
        "NodePort" => "NP",
        _ => "CIP",
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::view::{NodeView, PodView};

    /// Draw on a surface that paints nothing (native profiling of the layout and draw logic).
    pub fn null_draw(r: &mut Renderer, v: &View, w: f64, h: f64, wall_ms: f64) {
        struct Null;
        impl Surface for Null {
            fn clear(&mut self, _: f64, _: f64, _: &str) {}
            fn fill_rect(&mut self, _: Rect, _: &str, _: f64) {}
            fn stroke_rect(&mut self, _: Rect, _: &str, _: f64, _: bool, _: f64) {}
            fn line(&mut self, _: (f64, f64), _: (f64, f64), _: &str, _: f64, _: f64) {}
            fn dot(&mut self, _: (f64, f64), _: f64, _: &str) {}
            fn text(&mut self, _: f64, _: f64, _: &str, _: &str, _: f64) {}
        }
        r.draw(&mut Null, v, w, h, wall_ms);
    }

    /// A synthetic cluster (also what the benchmark page draws).
    pub fn big(nodes: usize, pods: usize) -> View {
        let mut v = View::default();
        for i in 0..nodes {
            v.nodes.push(NodeView {
                name: format!("node-{i}"),
                group: format!("ig-{}", i % 3),
                state: NodeState::Ready,
                cordoned: false,
                taints: vec![],
                cpu_m: 4000,
                mem_b: 16 << 30,
                cpu_req_m: 1000,
                mem_req_b: 1 << 30,
                control_plane: false,
            });
        }
        for j in 0..pods {
            v.pods.push(PodView {
                name: format!("pod-{j}"),
                namespace: "default".into(),
                owner: format!("rs-{}", j % 9),
                node: Some(format!("node-{}", j % nodes)),
                state: PodState::Ready,
                restarts: 0,
            });
        }
        v
    }

    #[test]
    fn everything_gets_a_box_and_fits() {
        let v = big(200, 5000);
        let l = layout(&v, 1400.0, 900.0);
        assert_eq!(l.nodes.len(), 200);
        assert_eq!(l.pods.len(), 5000);
        assert!(l.pending.y + l.pending.h <= 900.0, "tile {}", l.tile);
        for (p, r) in &l.pods {
            let pv = v.pods.iter().find(|x| &x.name == p).unwrap();
            let nr = l.nodes[pv.node.as_deref().unwrap()];
            assert!(
                r.x >= nr.x && r.x + r.w <= nr.x + nr.w + 0.01,
                "{p} outside its node"
            );
        }
    }

    #[test]
    fn hit_finds_pods_before_nodes() {
        let v = big(2, 3);
        let mut r = Renderer::default();
        struct Null;
        impl Surface for Null {
            fn clear(&mut self, _: f64, _: f64, _: &str) {}
            fn fill_rect(&mut self, _: Rect, _: &str, _: f64) {}
            fn stroke_rect(&mut self, _: Rect, _: &str, _: f64, _: bool, _: f64) {}
            fn line(&mut self, _: (f64, f64), _: (f64, f64), _: &str, _: f64, _: f64) {}
            fn dot(&mut self, _: (f64, f64), _: f64, _: &str) {}
            fn text(&mut self, _: f64, _: f64, _: &str, _: &str, _: f64) {}
        }
        r.draw(&mut Null, &v, 800.0, 600.0, 0.0);
        let p = r.layout().pods["pod-0"];
        assert_eq!(
            r.hit(p.x + 1.0, p.y + 1.0),
            Some(ObjRef::Pod("pod-0".into()))
        );
        let n = r.layout().nodes["node-0"];
        assert_eq!(
            r.hit(n.x + 1.0, n.y + 1.0),
            Some(ObjRef::Node("node-0".into()))
        );
    }

    /// Pods keep their animation across views by name: a new one grows in, a deleted one
    /// fades where it was (then is dropped), one whose state changes restarts its ring, and
    /// a pod that comes back while fading picks up where it is.
    #[test]
    fn pods_keep_their_animation_across_views() {
        let mut v = big(2, 3);
        v.version = 1;
        let mut r = Renderer::default();
        null_draw(&mut r, &v, 800.0, 600.0, 0.0);
        for t in 1..20 {
            null_draw(&mut r, &v, 800.0, 600.0, f64::from(t) * 100.0);
        }
        assert!(r.pods.iter().all(|sl| sl.anim.alpha >= 1.0));
        assert_eq!(r.pods[1].anim.r, r.layout().pods["pod-1"]);
        // pod-1 deleted, pod-2 crash-looping, pod-3 new
        let mut w = v.clone();
        w.version = 2;
        w.pods.remove(1);
        w.pods[1].state = PodState::CrashLoop;
        let mut p3 = w.pods[0].clone();
        p3.name = "pod-3".into();
        w.pods.push(p3);
        null_draw(&mut r, &w, 800.0, 600.0, 2000.0);
        let names: Vec<&str> = r.pods.iter().map(|sl| sl.name.as_str()).collect();
        assert_eq!(names, ["pod-0", "pod-2", "pod-3"]);
        assert_eq!(r.pods[1].anim.state, Some(PodState::CrashLoop));
        assert!((r.pods[1].anim.state_changed_at - 2000.0).abs() < f64::EPSILON);
        assert!(r.pods[2].anim.alpha < 1.0, "a new pod fades in");
        assert_eq!(r.gone_pods.len(), 1);
        assert_eq!(r.gone_pods[0].0, "pod-1");
        let fading = r.gone_pods[0].1.alpha;
        assert!(fading < 1.0);
        // back before it has faded: the same animation, not a fresh one
        let mut back = v.clone();
        back.version = 3;
        null_draw(&mut r, &back, 800.0, 600.0, 2050.0);
        let gone: Vec<&str> = r.gone_pods.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(gone, ["pod-3"]);
        assert!(r.pods[1].anim.alpha > 0.0 && r.pods[1].anim.alpha < 1.0);
        // gone for good: faded out, then dropped
        for t in 0..20 {
            null_draw(&mut r, &w, 800.0, 600.0, 3000.0 + f64::from(t) * 100.0);
        }
        assert!(r.gone_pods.is_empty());
        assert_eq!(r.pods.len(), 3);
    }

    /// Pods are painted in style groups: a frame of 5,000 pods in every state makes a few
    /// dozen path calls, not one or more per pod, and a running pod's hollow centre is painted
    /// after the fills it sits on.
    #[test]
    fn pods_are_painted_in_style_groups() {
        #[derive(Default)]
        struct Count {
            calls: usize,
            rects: usize,
            fills: Vec<(String, usize)>,
        }
        impl Surface for Count {
            fn clear(&mut self, _: f64, _: f64, _: &str) {}
            fn fill_rect(&mut self, _: Rect, _: &str, _: f64) {
                self.calls += 1;
            }
            fn fill_rects(&mut self, rects: &[Rect], colour: &str, _: f64) {
                self.calls += 1;
                self.rects += rects.len();
                self.fills.push((colour.to_string(), rects.len()));
            }
            fn stroke_rect(&mut self, _: Rect, _: &str, _: f64, _: bool, _: f64) {
                self.calls += 1;
            }
            fn stroke_rects(&mut self, rects: &[Rect], _: &str, _: f64, _: bool, _: f64) {
                self.calls += 1;
                self.rects += rects.len();
            }
            fn line(&mut self, _: (f64, f64), _: (f64, f64), _: &str, _: f64, _: f64) {
                self.calls += 1;
            }
            fn lines(&mut self, segs: &[Segment], _: &str, _: f64, _: f64) {
                self.calls += 1;
                self.rects += segs.len();
            }
            fn dot(&mut self, _: (f64, f64), _: f64, _: &str) {}
            fn text(&mut self, _: f64, _: f64, _: &str, _: &str, _: f64) {}
        }
        let states = [
            PodState::Pending,
            PodState::Pulling,
            PodState::Starting,
            PodState::Running,
            PodState::Ready,
            PodState::Terminating,
            PodState::CrashLoop,
        ];
        let mut v = big(200, 5000);
        for (i, p) in v.pods.iter_mut().enumerate() {
            p.state = states[i % states.len()];
        }
        let mut r = Renderer {
            reduced_motion: true,
            ..Renderer::default()
        };
        let mut c = Count::default();
        r.draw(&mut c, &v, 1600.0, 1000.0, 0.0);
        let node_calls = {
            let mut n = Count::default();
            let mut r2 = Renderer {
                reduced_motion: true,
                ..Renderer::default()
            };
            r2.draw(&mut n, &big(200, 0), 1600.0, 1000.0, 0.0);
            n.calls
        };
        let pod_calls = c.calls - node_calls;
        assert!(pod_calls < 100, "{pod_calls} calls for 5,000 pods");
        assert!(c.rects >= 5000, "every pod painted: {}", c.rects);
        // the running pods' centres (panel colour) come after every base fill
        let first_panel = c.fills.iter().position(|(col, _)| col == "#ffffff");
        let last_base = c.fills.iter().rposition(|(col, _)| col != "#ffffff");
        assert!(
            first_panel.is_some_and(|f| last_base.is_some_and(|l| f > l)),
            "{:?}",
            c.fills
        );
    }
}
