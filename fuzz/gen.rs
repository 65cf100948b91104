//! The generator of random *legal* C programs (C11 + POSIX as glibc implements it), so that the
//! native build is the oracle.
//!
//! A case is a set of "worker" functions `c<i>_w<k>(int d, ...)` with random signatures
//! (`int`, `long long`, `double`, `short`, `unsigned char`, a struct by value) that mix their
//! arguments into an `unsigned` accumulator, print it, call each other with `d - 1` (directly,
//! through function pointers, from `qsort`/`bsearch` comparators) and run *operations*: setjmp
//! blocks (`setjmp`, `_setjmp`, `sigsetjmp`; env on the stack, heap or in a global), jump sites
//! (`longjmp`/`_longjmp`/`siglongjmp` or `setcontext` to any live target of the running
//! context, with any of the case's values), getcontext/setcontext loops, groups of made contexts
//! (arguments, `uc_link` chains, links to a `getcontext` point of main, re-made after they
//! finished), yields and direct switches from any depth, `swapcontext(&c, &c)`, register scans
//! that must find a sentinel local, and `exit` from any depth.
//!
//! Legality is kept by construction, with the helpers of `prelude.c`:
//! * every jump target is pushed on a per-context registry while its function runs the block
//!   that set it, and popped when the block ends or is jumped over, so jumps only go to live
//!   targets of the running context;
//! * locals modified between a `setjmp`/`getcontext` and a jump back are `volatile`; the others
//!   are assigned before and only read after;
//! * jumps, context groups, calls and exits draw from per-case budgets, so every case ends;
//! * comparators do their work on their first call only (which every libc makes), and the
//!   sorted keys are distinct, so glibc's and wasi-libc's sorting orders do not show;
//! * nothing prints an address; arithmetic is unsigned; doubles stay small and exact.
//!
//! Everything is derived from the case's seed with [`Rng`] (splitmix64), a fixed algorithm, so a
//! seed reproduces a case on any machine and version.

use std::fmt::Write as _;

/// Changes whenever the same seed and parameters generate a different program; reproducers
/// record it (`regenerate` lines hold for this version only; the saved C file always holds).
pub const GEN_VERSION: u32 = 3;

/// The program text every batch starts with (helpers and state; see the file).
pub const PRELUDE: &str = include_str!("prelude.c");

/// splitmix64: the fuzzer's only source of randomness (a fixed algorithm: seeds stay valid).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fully determined by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// A uniformly chosen element of `v` (which must not be empty).
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

/// The seed of case `index` of a run with base seed `base` (reproducible).
pub fn case_seed(base: u64, index: u64) -> u64 {
    Rng::new(base ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93)).next()
}

/// A feature of the generated programs; minimisation switches them off one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// setjmp blocks and the longjmp sites that jump to them.
    Setjmp,
    /// getcontext/setcontext loops (and setcontext from jump sites).
    Getcontext,
    /// Groups of made contexts, yields, direct switches.
    Contexts,
    /// `uc_link` to another made context (a chain) or to main's getcontext point.
    Links,
    /// Finished contexts made again (a second round).
    Remake,
    /// makecontext with arguments beyond the context's id.
    Args,
    /// `swapcontext(&c, &c)`.
    SelfSwap,
    /// Register scans that must find a sentinel local.
    Scan,
    /// qsort/bsearch comparators that call into the program.
    Callbacks,
    /// Calls through function pointers.
    FnPtr,
    /// `exit` from any depth, `uc_link == NULL`.
    Exit,
}

/// Every feature, in the order minimisation tries to switch them off.
pub const ALL_FEATURES: [Feature; 11] = [
    Feature::Setjmp,
    Feature::Getcontext,
    Feature::Contexts,
    Feature::Links,
    Feature::Remake,
    Feature::Args,
    Feature::SelfSwap,
    Feature::Scan,
    Feature::Callbacks,
    Feature::FnPtr,
    Feature::Exit,
];

impl Feature {
    /// The name used on the command line and in `Params::describe`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Setjmp => "setjmp",
            Feature::Getcontext => "getcontext",
            Feature::Contexts => "contexts",
            Feature::Links => "links",
            Feature::Remake => "remake",
            Feature::Args => "args",
            Feature::SelfSwap => "selfswap",
            Feature::Scan => "scan",
            Feature::Callbacks => "callbacks",
            Feature::FnPtr => "fnptr",
            Feature::Exit => "exit",
        }
    }
    /// The feature named `s` (see [`Feature::name`]), or None.
    pub fn parse(s: &str) -> Option<Feature> {
        ALL_FEATURES.iter().copied().find(|f| f.name() == s)
    }
}

/// What a case may contain and how big it may be. A case draws its actual sizes from these
/// bounds with its own seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub features: Vec<Feature>,
    /// Worker functions (1..).
    pub workers: u64,
    /// Starting call depth (1..FZ_MAXD-1).
    pub depth: u64,
    /// Operations per worker (0..).
    pub ops: u64,
    /// Made contexts per group (1..=6).
    pub contexts: u64,
    /// Calls allowed per case (bounds the running time).
    pub calls: u64,
}

impl Params {
    /// The largest case: every feature.
    pub fn full() -> Params {
        Params { features: ALL_FEATURES.to_vec(), workers: 6, depth: 5, ops: 4, contexts: 5, calls: 120 }
    }
    /// The bounds of a case in a run: every feature with probability 3/4 (`exit` 1/8), sizes
    /// drawn below `max`'s, all from the case's seed.
    pub fn for_case(seed: u64, max: &Params) -> Params {
        let mut r = Rng::new(seed ^ 0x5851_f42d_4c95_7f2d);
        let features = max
            .features
            .iter()
            .copied()
            .filter(|f| if *f == Feature::Exit { r.chance(12) } else { r.chance(75) })
            .collect();
        Params {
            features,
            workers: r.range(1, max.workers.max(1)),
            depth: r.range(1, max.depth.clamp(1, 7)),
            ops: r.range(1.min(max.ops), max.ops),
            contexts: r.range(2.min(max.contexts.max(1)), max.contexts.clamp(1, 6)),
            calls: max.calls,
        }
    }
    /// Whether feature `f` is enabled.
    pub fn has(&self, f: Feature) -> bool {
        self.features.contains(&f)
    }
    /// A compact, parseable description (`--params` takes it back).
    pub fn describe(&self) -> String {
        let f: Vec<&str> = self.features.iter().map(|f| f.name()).collect();
        format!(
            "features={} workers={} depth={} ops={} contexts={} calls={}",
            if f.is_empty() { "none".to_string() } else { f.join(",") },
            self.workers,
            self.depth,
            self.ops,
            self.contexts,
            self.calls
        )
    }
    /// Parses [`Params::describe`]'s format; missing keys keep `full()`'s values.
    pub fn parse(s: &str) -> Result<Params, String> {
        let mut p = Params::full();
        for kv in s.split_whitespace() {
            let (k, v) = kv.split_once('=').ok_or_else(|| format!("expected key=value, got {kv:?}"))?;
            let num = || v.parse::<u64>().map_err(|e| format!("{k}: {e}"));
            match k {
                "features" => {
                    p.features = if v == "none" {
                        vec![]
                    } else {
                        v.split(',')
                            .map(|n| Feature::parse(n).ok_or_else(|| format!("unknown feature {n:?}")))
                            .collect::<Result<_, _>>()?
                    }
                }
                "workers" => p.workers = num()?,
                "depth" => p.depth = num()?,
                "ops" => p.ops = num()?,
                "contexts" => p.contexts = num()?,
                "calls" => p.calls = num()?,
                _ => return Err(format!("unknown key {k:?}")),
            }
        }
        Ok(p)
    }
}

/// The C types of parameters and results (names of the prelude's typedefs and conversion macros).
const TYPES: [&str; 6] = ["int", "ll", "dbl", "short", "uchar", "pair"];

/// Values given to longjmp (0 makes setjmp return 1).
const VALUES: [i32; 12] = [0, 1, 2, 3, 5, 42, 255, 256, -1, -7, i32::MAX, i32::MIN];

#[derive(Clone)]
struct Sig {
    ret: &'static str,
    params: Vec<&'static str>,
}

/// Generation state of one case.
struct Case<'a> {
    id: usize,
    p: &'a Params,
    r: Rng,
    sigs: Vec<Sig>,
    /// Extra top-level definitions (comparators, globals, context entries).
    decls: String,
    sites: usize,
    cmp_sites: usize,
    /// The values setjmp can return in this case (after 0 -> 1).
    returns: Vec<i32>,
    /// Made-context entry functions: (name, number of int arguments after the id).
    entries: Vec<(String, usize)>,
}

impl Case<'_> {
    fn site(&mut self) -> usize {
        self.sites += 1;
        self.sites
    }

    fn worker_name(&self, k: usize) -> String {
        format!("c{}_w{}", self.id, k)
    }

    /// Arguments for worker `k`, mixed from the unsigned expression `acc`.
    fn args(&mut self, k: usize, acc: &str) -> String {
        let params = self.sigs[k].params.clone();
        params
            .iter()
            .map(|t| format!(", FZ_T_{t}(fz_mix({acc}, {}u))", self.r.next() as u32))
            .collect::<String>()
    }

    /// An expression calling some worker with depth `d_expr - 1`, as an unsigned.
    fn call_expr(&mut self, d_expr: &str, acc: &str) -> String {
        let k = (self.r.next() % self.sigs.len() as u64) as usize;
        let args = self.args(k, acc);
        let ret = self.sigs[k].ret;
        if self.p.has(Feature::FnPtr) && self.r.chance(40) {
            let site = self.site();
            let sig = &self.sigs[k];
            let ptypes: String = sig.params.iter().map(|t| format!(", {t}")).collect();
            let _ = writeln!(
                self.decls,
                "static {ret} (*volatile c{}_fp{site})(int{ptypes}) = {};",
                self.id,
                self.worker_name(k)
            );
            format!("FZ_U_{ret}(c{}_fp{site}({d_expr} - 1{args}))", self.id)
        } else {
            format!("FZ_U_{ret}({}({d_expr} - 1{args}))", self.worker_name(k))
        }
    }

    /// A statement that calls into the program (directly, by pointer, or from a comparator),
    /// mixing the result into `acc` (an unsigned lvalue).
    fn call_stmt(&mut self, acc: &str, ind: &str) -> String {
        if self.p.has(Feature::Callbacks) && self.r.chance(25) {
            return self.callback_stmt(acc, ind);
        }
        let e = self.call_expr("d", acc);
        format!("{ind}if (FZ_CALL_OK(d)) {acc} = fz_mix({acc}, {e});\n")
    }

    /// qsort or bsearch with a comparator that calls into the program on its first call.
    fn callback_stmt(&mut self, acc: &str, ind: &str) -> String {
        let s = self.cmp_sites;
        self.cmp_sites += 1;
        let id = self.id;
        let n = self.r.range(2, 12);
        // A comparator's first call runs a call chain from its saved depth and accumulator.
        let call = self.call_expr("d_", "fz_cmp_acc[me_][S]".replace('S', &s.to_string()).as_str());
        let _ = write!(
            self.decls,
            "static int c{id}_cmp{s}(const void *a, const void *b) {{\n\
             \x20   int me_ = fz_cur;\n\
             \x20   if (fz_cmp_armed[me_][{s}]) {{\n\
             \x20       fz_cmp_armed[me_][{s}] = 0;\n\
             \x20       int d_ = fz_cmp_d[me_][{s}];\n\
             \x20       if (FZ_CALL_OK(d_)) {{ unsigned r_ = {call}; fz_cmp_res[fz_cur][{s}] = r_; }}\n\
             \x20   }}\n\
             \x20   int x = *(const int *)a, y = *(const int *)b;\n\
             \x20   return (x > y) - (x < y);\n\
             }}\n"
        );
        let arm = format!(
            "{ind}    int me_ = fz_cur;\n\
             {ind}    fz_cmp_d[me_][{s}] = d; fz_cmp_acc[me_][{s}] = {acc}; fz_cmp_res[me_][{s}] = 0; fz_cmp_armed[me_][{s}] = 1;\n"
        );
        if self.r.chance(50) {
            // qsort a permutation of distinct keys.
            let step = loop {
                let st = self.r.range(1, n);
                if gcd(st, n) == 1 {
                    break st;
                }
            };
            let off = self.r.range(0, n - 1);
            format!(
                "{ind}{{\n\
                 {ind}    int a_[{n}];\n\
                 {ind}    for (int i_ = 0; i_ < {n}; i_++) a_[i_] = (int)((i_ * {step} + {off}) % {n}) * 7 - 20;\n\
                 {arm}\
                 {ind}    qsort(a_, {n}, sizeof a_[0], c{id}_cmp{s});\n\
                 {ind}    unsigned h_ = 0;\n\
                 {ind}    for (int i_ = 0; i_ < {n}; i_++) h_ = h_ * 31u + (unsigned)a_[i_];\n\
                 {ind}    printf(\"qsort{s} %u %u\\n\", h_, fz_cmp_res[me_][{s}]);\n\
                 {ind}    {acc} = fz_mix({acc}, fz_cmp_res[me_][{s}] + h_);\n\
                 {ind}}}\n"
            )
        } else {
            let key = self.r.range(0, n - 1);
            format!(
                "{ind}{{\n\
                 {ind}    int a_[{n}];\n\
                 {ind}    for (int i_ = 0; i_ < {n}; i_++) a_[i_] = i_ * 3 + 1;\n\
                 {ind}    int k_ = {key} * 3 + 1;\n\
                 {arm}\
                 {ind}    int *f_ = bsearch(&k_, a_, {n}, sizeof a_[0], c{id}_cmp{s});\n\
                 {ind}    int at_ = f_ ? (int)(f_ - a_) : -1;\n\
                 {ind}    printf(\"bsearch{s} %d %u\\n\", at_, fz_cmp_res[me_][{s}]);\n\
                 {ind}    {acc} = fz_mix({acc}, fz_cmp_res[me_][{s}] + (unsigned)at_);\n\
                 {ind}}}\n"
            )
        }
    }

    /// A setjmp block: set an env, register it, run a call (which may jump back), land.
    fn setjmp_op(&mut self, ind: &str) -> String {
        let s = self.site();
        let id = self.id;
        let (set, kind, ty) = match self.r.range(0, 3) {
            0 | 1 => ("setjmp(E)".to_string(), 0, "jmp_buf"),
            2 => ("_setjmp(E)".to_string(), 1, "jmp_buf"),
            _ => (format!("sigsetjmp(E, {})", self.r.range(0, 1)), 2, "sigjmp_buf"),
        };
        let (decl, env, free) = match self.r.range(0, 3) {
            0 => (format!("{ind}    {ty} e{s}_;\n"), format!("e{s}_"), String::new()),
            1 => (
                format!("{ind}    {ty} *e{s}_ = malloc(sizeof({ty}));\n"),
                format!("(*e{s}_)"),
                format!("{ind}    free(e{s}_);\n"),
            ),
            2 => {
                let _ = writeln!(self.decls, "static {ty} c{id}_g{s}[FZ_MAXCTX][FZ_MAXD];");
                (String::new(), format!("c{id}_g{s}[me_][d]"), String::new())
            }
            _ => {
                let pool = if kind == 2 { "fz_senvpool" } else { "fz_envpool" };
                (String::new(), format!("{pool}[me_][lvl_]"), String::new())
            }
        };
        let set = set.replace('E', &env);
        let c1 = self.r.next() as u32;
        let mut body = String::new();
        let inner = format!("{ind}        ");
        body.push_str(&self.call_stmt(&format!("v{s}_"), &inner));
        if self.r.chance(50) {
            body.push_str(&self.jump_op(&inner));
        }
        if self.r.chance(40) {
            // A jump straight back from the same frame.
            let v = *self.r.pick(&self.returns_raw());
            let _ = writeln!(
                body,
                "{inner}if (fz_budget > 0 && fz_rng() % 3 == 0) {{ fz_budget--; printf(\"sj{s} self {v}\\n\"); {}; }}",
                match kind {
                    0 => format!("longjmp({env}, {v})"),
                    1 => format!("_longjmp({env}, {v})"),
                    _ => format!("siglongjmp({env}, {v})"),
                }
            );
        }
        let mut landings = String::new();
        for v in self.returns.clone() {
            let _ = writeln!(
                landings,
                "{ind}    case {v}: fz_nreg[me_] = lvl_ + 1; printf(\"sj{s} landed {v} %u %u\\n\", v{s}_, nv{s}_); break;"
            );
        }
        format!(
            "{ind}{{\n\
             {decl}\
             {ind}    int me_ = fz_cur, lvl_ = fz_nreg[me_];\n\
             {ind}    volatile unsigned v{s}_ = acc;\n\
             {ind}    unsigned nv{s}_ = fz_mix(acc, {c1}u);\n\
             {ind}    FZ_PUSH(me_, lvl_, {kind}, (void *)&{env});\n\
             {ind}    switch ({set}) {{\n\
             {ind}    case 0:\n\
             {body}\
             {ind}        printf(\"sj{s} done %u\\n\", v{s}_);\n\
             {ind}        break;\n\
             {landings}\
             {ind}    default: printf(\"sj{s} landed ?\\n\"); break;\n\
             {ind}    }}\n\
             {ind}    fz_nreg[me_] = lvl_;\n\
             {ind}    acc = fz_mix(acc, v{s}_ ^ nv{s}_);\n\
             {free}\
             {ind}}}\n"
        )
    }

    fn returns_raw(&self) -> Vec<i32> {
        // Any value whose setjmp return is in `returns` (0 included when 1 is).
        let mut v = self.returns.clone();
        if v.contains(&1) {
            v.push(0);
        }
        v
    }

    /// A jump site: longjmp/setcontext to a random live target of the running context.
    fn jump_op(&mut self, ind: &str) -> String {
        let p = self.r.range(1, 3);
        format!(
            "{ind}if (fz_budget > 0 && fz_nreg[fz_cur] > 0 && fz_rng() % {p} == 0) {{\n\
             {ind}    fz_budget--;\n\
             {ind}    int i_ = (int)(fz_rng() % (unsigned)fz_nreg[fz_cur]), v_ = fz_vals[fz_rng() % (unsigned)fz_nvals];\n\
             {ind}    printf(\"jump %d %d %d\\n\", fz_cur, i_, v_);\n\
             {ind}    FZ_JUMP(i_, v_);\n\
             {ind}}}\n"
        )
    }

    /// A getcontext loop: register the context, run a call (which may setcontext back), loop.
    fn getcontext_op(&mut self, ind: &str) -> String {
        let s = self.site();
        let id = self.id;
        let limit = self.r.range(1, 3);
        let (decl, ptr, free) = match self.r.range(0, 3) {
            0 => (format!("{ind}    ucontext_t u{s}_;\n"), format!("&u{s}_"), String::new()),
            1 => (
                format!("{ind}    ucontext_t *h{s}_ = malloc(sizeof(ucontext_t));\n"),
                format!("h{s}_"),
                format!("{ind}    free(h{s}_);\n"),
            ),
            2 => {
                let _ = writeln!(self.decls, "static ucontext_t c{id}_gu{s}[FZ_MAXCTX][FZ_MAXD];");
                (String::new(), format!("&c{id}_gu{s}[fz_cur][d]"), String::new())
            }
            _ => (String::new(), "&fz_ucpool[fz_cur][fz_nreg[fz_cur]]".to_string(), String::new()),
        };
        let mut call = self.call_stmt(&format!("v{s}_"), &format!("{ind}        "));
        if self.r.chance(50) {
            call.push_str(&self.jump_op(&format!("{ind}        ")));
        }
        format!(
            "{ind}{{\n\
             {decl}\
             {ind}    ucontext_t *up_ = {ptr};\n\
             {ind}    int me_ = fz_cur, lvl_ = fz_nreg[me_];\n\
             {ind}    volatile int n{s}_ = 0;\n\
             {ind}    volatile unsigned v{s}_ = acc;\n\
             {ind}    int g_ = getcontext(up_);\n\
             {ind}    fz_cur = me_; fz_nreg[me_] = lvl_;\n\
             {ind}    n{s}_++;\n\
             {ind}    printf(\"gc{s} %d %d %u\\n\", g_, n{s}_, v{s}_);\n\
             {ind}    if (n{s}_ <= {limit}) {{\n\
             {ind}        FZ_PUSH(me_, lvl_, 3, up_);\n\
             {call}\
             {ind}        if (n{s}_ < {limit} && fz_budget > 0) {{ fz_budget--; setcontext(up_); }}\n\
             {ind}    }}\n\
             {ind}    fz_nreg[me_] = lvl_;\n\
             {ind}    acc = fz_mix(acc, v{s}_ + (unsigned)n{s}_);\n\
             {free}\
             {ind}}}\n"
        )
    }

    /// A scan that must find a sentinel held in a local.
    fn scan_op(&mut self, ind: &str) -> String {
        let s = self.site();
        format!(
            "{ind}{{\n\
             {ind}    unsigned s_ = fz_rng() | 0x40000001u;\n\
             {ind}    fz_key = s_ ^ FZ_MASK;\n\
             {ind}    int ok_ = fz_scan();\n\
             {ind}    fz_use(s_);\n\
             {ind}    printf(\"scan{s} %s %u\\n\", ok_ ? \"found\" : \"MISSING\", s_);\n\
             {ind}    acc = fz_mix(acc, s_);\n\
             {ind}}}\n"
        )
    }

    /// A made-context entry function (generated on first need; at most two per case).
    fn entry(&mut self) -> (String, usize) {
        if self.entries.len() < 2 && (self.entries.is_empty() || self.r.chance(50)) {
            let e = self.entries.len();
            let nargs = if self.p.has(Feature::Args) { self.r.range(0, 6) as usize } else { 0 };
            let name = format!("c{}_co{e}", self.id);
            let params: String = (0..nargs).map(|i| format!(", int a{i}")).collect();
            let mut mix = String::from("unsigned acc = (unsigned)id;\n");
            let mut fmt = String::new();
            let mut vals = String::new();
            for i in 0..nargs {
                let _ = writeln!(mix, "    acc = fz_mix(acc, (unsigned)a{i});");
                fmt.push_str(" %d");
                let _ = write!(vals, ", a{i}");
            }
            let depth = self.r.range(0, self.p.depth);
            // The body: a call, or a setjmp block around one (jumps caught inside a context,
            // which then finishes and resumes its uc_link).
            let mut body = if self.p.has(Feature::Setjmp) && self.r.chance(60) {
                self.setjmp_op("    ")
            } else {
                self.call_stmt("acc", "    ")
            };
            if self.r.chance(50) {
                let s = self.site();
                body = format!("    FZ_YIELD({s});\n{body}");
            }
            let _ = write!(
                self.decls,
                "static void {name}(int id{params}) {{\n\
                 \x20   FZ_CO_BEGIN(id);\n\
                 \x20   printf(\"co %d start {e}{fmt}\\n\", id{vals});\n\
                 \x20   {mix}\
                 \x20   int d = {};\n\
                 {body}\
                 \x20   printf(\"co %d end %u\\n\", id, acc);\n\
                 \x20   FZ_CO_END(id);\n\
                 }}\n",
                depth + 1
            );
            self.entries.push((name, nargs));
        }
        self.r.pick(&self.entries).clone()
    }

    /// A group of made contexts run by main's scheduler until all finished (optionally twice).
    fn group_op(&mut self, ind: &str) -> String {
        let s = self.site();
        let n = self.r.range(1, self.p.contexts.clamp(1, 6)) as usize;
        let rounds = if self.p.has(Feature::Remake) { self.r.range(1, 2) } else { 1 };
        // Links: to main's scheduler (fz_sched), to a link-only later context (a chain), to
        // main's getcontext point (fz_back), or NULL (the process exits when it finishes).
        let mut link_only = vec![false; n + 1];
        let mut links = vec![String::new(); n + 1];
        let mut use_back = false;
        for k in 1..=n {
            let mut l = "&fz_sched".to_string();
            if self.p.has(Feature::Links) && self.r.chance(50) {
                let free: Vec<usize> = (k + 1..=n).filter(|j| !link_only[*j]).collect();
                if !free.is_empty() && self.r.chance(60) {
                    let j = *self.r.pick(&free);
                    link_only[j] = true;
                    l = format!("&fz_uc[{j}]");
                } else {
                    use_back = true;
                    l = "&fz_back".to_string();
                }
            }
            if self.p.has(Feature::Exit) && self.r.chance(10) {
                l = "0".to_string();
            }
            links[k] = l;
        }
        if link_only[1..].iter().all(|x| *x) {
            link_only[1] = false;
        }
        let mut setup = String::new();
        for k in 1..=n {
            let (entry, nargs) = self.entry();
            let size = 65536 + self.r.range(0, 2) * 65536;
            let args: String = (0..nargs).map(|_| format!(", {}", self.r.next() as i32 % 100000)).collect();
            let state = if link_only[k] { "FZ_LINKONLY" } else { "FZ_NEW" };
            let _ = write!(
                setup,
                "{ind}        getcontext(&fz_uc[{k}]);\n\
                 {ind}        fz_uc[{k}].uc_stack.ss_sp = fz_stacks[{k}];\n\
                 {ind}        fz_uc[{k}].uc_stack.ss_size = {size};\n\
                 {ind}        fz_uc[{k}].uc_link = {};\n\
                 {ind}        makecontext(&fz_uc[{k}], (void (*)(void)){entry}, {}, {k}{args});\n\
                 {ind}        fz_state[{k}] = {state};\n",
                links[k],
                nargs + 1
            );
        }
        let back = if use_back {
            format!(
                "{ind}        getcontext(&fz_back);\n\
                 {ind}        fz_cur = 0; fz_nreg[0] = lvl_;\n\
                 {ind}        printf(\"g{s} back %d\\n\", b{s}_);\n\
                 {ind}        b{s}_++;\n"
            )
        } else {
            String::new()
        };
        format!(
            "{ind}if (fz_cur == 0 && !fz_group && fz_groups > 0) {{\n\
             {ind}    fz_groups--; fz_group = 1;\n\
             {ind}    int lvl_ = fz_nreg[0];\n\
             {ind}    volatile int r{s}_ = 0, b{s}_ = 0;\n\
             {ind}    (void)lvl_;\n\
             {ind}    do {{\n\
             {setup}\
             {back}\
             {ind}        for (;;) {{\n\
             {ind}            int k_ = fz_pick();\n\
             {ind}            if (k_ < 0) break;\n\
             {ind}            printf(\"g{s} resume %d\\n\", k_);\n\
             {ind}            FZ_RESUME(k_);\n\
             {ind}        }}\n\
             {ind}        r{s}_++;\n\
             {ind}    }} while (r{s}_ < {rounds});\n\
             {ind}    fz_group = 0;\n\
             {ind}    printf(\"g{s} done %d\\n\", b{s}_);\n\
             {ind}    acc = fz_mix(acc, (unsigned)b{s}_);\n\
             {ind}}}\n"
        )
    }

    fn op(&mut self, ind: &str) -> String {
        let mut kinds: Vec<&str> = vec![];
        let p = self.p;
        if p.has(Feature::Setjmp) {
            kinds.extend(["setjmp", "setjmp", "setjmp", "jump", "jump", "jump"]);
        }
        if p.has(Feature::Getcontext) {
            kinds.extend(["getcontext", "jump", "jump"]);
        }
        if p.has(Feature::Contexts) {
            kinds.extend(["group", "group", "yield", "yield", "transfer"]);
            if p.has(Feature::SelfSwap) {
                kinds.push("selfswap");
            }
        }
        if p.has(Feature::Scan) {
            kinds.push("scan");
        }
        if p.has(Feature::Exit) {
            kinds.push("exit");
        }
        if kinds.is_empty() {
            return self.call_stmt("acc", ind);
        }
        match *self.r.pick(&kinds) {
            "setjmp" => self.setjmp_op(ind),
            "jump" => self.jump_op(ind),
            "getcontext" => self.getcontext_op(ind),
            "group" => self.group_op(ind),
            "yield" => {
                let s = self.site();
                format!("{ind}FZ_YIELD({s});\n")
            }
            "transfer" => {
                let s = self.site();
                format!("{ind}FZ_TRANSFER({s});\n")
            }
            "selfswap" => {
                let s = self.site();
                format!("{ind}FZ_SELFSWAP({s});\n")
            }
            "scan" => self.scan_op(ind),
            "exit" => {
                let code = self.r.range(0, 100);
                format!(
                    "{ind}if (fz_exits > 0 && fz_rng() % 4 == 0) {{ fz_exits--; printf(\"exit {code}\\n\"); exit({code}); }}\n"
                )
            }
            _ => unreachable!(),
        }
    }

    fn worker(&mut self, k: usize) -> String {
        let sig = self.sigs[k].clone();
        let params: String = sig.params.iter().enumerate().map(|(i, t)| format!(", {t} p{i}")).collect();
        let mut body = format!("    unsigned acc = {}u;\n    acc = fz_mix(acc, (unsigned)d);\n", self.r.next() as u32);
        for (i, t) in sig.params.iter().enumerate() {
            let _ = writeln!(body, "    acc = fz_mix(acc, FZ_U_{t}(p{i}));");
        }
        if self.r.chance(80) {
            let _ = writeln!(body, "    printf(\"c{} w{k} %d %u\\n\", d, acc);", self.id);
        }
        // Live memory of this frame (a runtime-sized alloca), checked before returning: frames
        // saved over live memory show up here.
        let guard = if self.r.chance(50) { Some(self.r.range(1, 250)) } else { None };
        if let Some(salt) = guard {
            let _ = writeln!(
                body,
                "    int gn_ = 8 + (int)(fz_rng() % 32u) * 8;\n    volatile unsigned char *gd_ = alloca((unsigned)gn_);\n    for (int i_ = 0; i_ < gn_; i_++) gd_[i_] = (unsigned char)(i_ * 7 + {salt});"
            );
        }
        let ncalls = self.r.range(1, 2);
        let nops = self.r.range(self.p.ops.div_ceil(2), self.p.ops);
        let mut items: Vec<bool> = (0..ncalls).map(|_| true).chain((0..nops).map(|_| false)).collect();
        // shuffle
        for i in (1..items.len()).rev() {
            let j = (self.r.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
        if k == 0 && self.p.has(Feature::Contexts) {
            // Worker 0 runs at the case's full depth first: one group there for sure.
            body.push_str(&self.group_op("    "));
        }
        for is_call in items {
            if is_call {
                body.push_str(&self.call_stmt("acc", "    "));
            } else {
                body.push_str(&self.op("    "));
            }
        }
        if let Some(salt) = guard {
            let _ = writeln!(
                body,
                "    {{ int bad_ = 0; for (int i_ = 0; i_ < gn_; i_++) bad_ += gd_[i_] != (unsigned char)(i_ * 7 + {salt});\n      if (bad_) printf(\"c{} w{k} frame memory overwritten: %d of %d bytes\\n\", bad_, gn_); }}",
                self.id
            );
        }
        format!(
            "static {} {}(int d{params}) {{\n{body}    return FZ_T_{}(acc);\n}}\n",
            sig.ret,
            self.worker_name(k),
            sig.ret
        )
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The C text of case `id` (functions prefixed `c<id>_`, entry `static int c<id>_main(void)`),
/// fully determined by `seed` and `params`.
pub fn case(id: usize, seed: u64, params: &Params) -> String {
    let mut r = Rng::new(seed);
    let workers = params.workers.max(1) as usize;
    let sigs: Vec<Sig> = (0..workers)
        .map(|_| {
            let np = r.range(0, 4) as usize;
            Sig { ret: *r.pick(&TYPES), params: (0..np).map(|_| *r.pick(&TYPES)).collect() }
        })
        .collect();
    let nvals = r.range(1, 4) as usize;
    let vals: Vec<i32> = (0..nvals).map(|_| *r.pick(&VALUES)).collect();
    let mut returns: Vec<i32> = vals.iter().map(|v| if *v == 0 { 1 } else { *v }).collect();
    returns.sort();
    returns.dedup();
    let mut c = Case {
        id,
        p: params,
        r,
        sigs,
        decls: String::new(),
        sites: 0,
        cmp_sites: 0,
        returns,
        entries: vec![],
    };
    let mut funcs = String::new();
    for k in 0..workers {
        funcs.push_str(&c.worker(k));
    }
    let depth = c.r.range(1, params.depth.clamp(1, 7));
    let args = c.args(0, "0x1234u");
    let budget = c.r.range(2, 12);
    let groups = c.r.range(1, 3);
    let exits = if params.has(Feature::Exit) { "(run % 8u == 0)" } else { "0" };
    let rseed = c.r.next() as u32;
    let vals_c: Vec<String> = vals.iter().map(|v| format!("{v}")).collect();
    let vals_c: Vec<String> = vals_c.iter().map(|v| if v == "-2147483648" { "(-2147483647 - 1)".into() } else { v.clone() }).collect();
    let ret0 = c.sigs[0].ret;
    let protos: String = c
        .sigs
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let ps: String = s.params.iter().map(|t| format!(", {t}")).collect();
            format!("static {} c{id}_w{k}(int{ps});\n", s.ret)
        })
        .collect();
    format!(
        "/* case {id}: seed {seed:#x}, {} */\n{protos}{}{funcs}\
         static int c{id}_main(unsigned run) {{\n\
         \x20   static const int vals[] = {{ {} }};\n\
         \x20   fz_case_begin(fz_mix({rseed}u, run), {budget} + (int)(run % 5u), {groups}, {exits}, {nvals}, vals, {});\n\
         \x20   unsigned r = FZ_U_{ret0}(c{id}_w0({depth}{args}));\n\
         \x20   return (int)(r % 1000u);\n\
         }}\n",
        params.describe(),
        c.decls,
        vals_c.join(", "),
        params.calls
    )
}

/// A whole program: the prelude, the generated functions of each `(seed, params)` and a `main`
/// that runs each of them `runs` times, with the run number as the seed of the program's own
/// PRNG (which decides which operations fire, jump targets and values, switch targets): run `r`
/// of program `i` (run number `first_run + r`) is case `i * runs + r`. `main` runs cases `argv[1]` (default 0) to the last,
/// printing `@case <k>` before and `@end <k> <result>` after each, and returns a hash of the
/// results modulo 64.
pub fn program(cases: &[(u64, Params)], first_run: u32, runs: u32) -> String {
    let mut s = String::from(PRELUDE);
    for (i, (seed, p)) in cases.iter().enumerate() {
        s.push_str(&case(i, *seed, p));
    }
    let table: Vec<String> = (0..cases.len()).map(|i| format!("c{i}_main")).collect();
    let _ = write!(
        s,
        "static int (*const fz_cases[])(unsigned) = {{ {} }};\n\
         int main(int argc, char **argv) {{\n\
         \x20   int start = argc > 1 ? atoi(argv[1]) : 0;\n\
         \x20   unsigned total = 0;\n\
         \x20   getcontext(&fz_self); /* main's self swaps save into an initialised context */\n\
         #ifndef __wasm__\n\
         \x20   fz_main_top = __builtin_frame_address(0);\n\
         #endif\n\
         \x20   for (int i = start; i < {} * {runs}; i++) {{\n\
         \x20       printf(\"@case %d\\n\", i);\n\
         \x20       int r = fz_cases[i / {runs}]({first_run}u + (unsigned)(i % {runs}));\n\
         \x20       printf(\"@end %d %d\\n\", i, r);\n\
         \x20       fflush(stdout);\n\
         \x20       total = total * 31u + (unsigned)r;\n\
         \x20   }}\n\
         \x20   return (int)(total % 64u);\n\
         }}\n",
        table.join(", "),
        cases.len()
    );
    s
}
