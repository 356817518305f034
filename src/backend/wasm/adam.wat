;; Adam's update for one variable, four floats at a time, on the tfjs wasm backend's own memory.
;; out, w, g, m, v: byte offsets of float32 arrays; n: element count (the caller does the n % 4 tail).
;; m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  out = keep*w - lrc1*m / (sqrt(v*c2) + eps)
;; The new weights go to a fresh tensor (out), never over w: kernels may cache data by tensor id.
;; with lrc1 = lr / (1 - b1^t) and c2 = 1 / (1 - b2^t), as tf.train.adam computes it, and
;; keep = 1 - lr*weight_decay (AdamW's decoupled decay; exactly 1, so w unchanged, without it).
(module
  (import "env" "memory" (memory 1))
  (func (export "adam")
    (param $out i32) (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $lrc1 f32) (param $c2 f32) (param $eps f32) (param $keep f32)
    (local $i i32) (local $end i32) (local $gi v128) (local $mi v128) (local $vi v128)
    (local $B1 v128) (local $K1 v128) (local $B2 v128) (local $K2 v128)
    (local $LR v128) (local $C2 v128) (local $EPS v128) (local $KEEP v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $K1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $K2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $LR (f32x4.splat (local.get $lrc1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $KEEP (f32x4.splat (local.get $keep)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mi
          (f32x4.add
            (f32x4.mul (local.get $B1) (v128.load (i32.add (local.get $m) (local.get $i))))
            (f32x4.mul (local.get $K1) (local.get $gi))))
        (local.set $vi
          (f32x4.add
            (f32x4.mul (local.get $B2) (v128.load (i32.add (local.get $v) (local.get $i))))
            (f32x4.mul (local.get $K2) (f32x4.mul (local.get $gi) (local.get $gi)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub
            (f32x4.mul (local.get $KEEP) (v128.load (i32.add (local.get $w) (local.get $i))))
            (f32x4.div
              (f32x4.mul (local.get $LR) (local.get $mi))
              (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vi) (local.get $C2))) (local.get $EPS)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))))
