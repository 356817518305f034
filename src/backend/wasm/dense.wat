;; The compiled training step's one-pass loops over a dense layer's activations, four floats at a time, on
;; the tfjs wasm backend's own memory (byte offsets of float32 arrays). Each gives the same bits as the
;; scalar float32 arithmetic of tfjs's kernels: f32x4 add and max are IEEE operations lane by lane.
(module
  (import "env" "memory" (memory 1))

  ;; x[r][j] += b[j] for rows rows of cols values (the bias of a layer whose product is not fused).
  (func (export "addRows") (param $x i32) (param $b i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $row i32) (local $vec i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $vecDone
          (loop $nextVec
            (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vec)))
            (v128.store (i32.add (local.get $row) (local.get $j))
              (f32x4.add
                (v128.load (i32.add (local.get $row) (local.get $j)))
                (v128.load (i32.add (local.get $b) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $nextVec)))
        (block $tailDone
          (loop $nextTail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $bytes)))
            (f32.store (i32.add (local.get $row) (local.get $j))
              (f32.add
                (f32.load (i32.add (local.get $row) (local.get $j)))
                (f32.load (i32.add (local.get $b) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextTail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow))))

  ;; x = max(x, 0) over n floats: -0 gives 0, NaN stays NaN (as the wasm Relu kernel).
  (func (export "relu") (param $x i32) (param $n i32)
    (local $i i32) (local $vec i32) (local $end i32) (local $zero v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vecDone
      (loop $nextVec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vec)))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (f32x4.max (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $zero)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nextVec)))
    (block $tailDone
      (loop $nextTail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $x) (local.get $i))
          (f32.max (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $nextTail))))

;; x = x > 0 ? x : 0 over n floats: NaN and -0 give +0 (the ReLU of the BLAS kernels' fused product).
  (func (export "positive") (param $x i32) (param $n i32)
    (local $i i32) (local $vec i32) (local $end i32) (local $v v128) (local $zero v128) (local $s f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vecDone
      (loop $nextVec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vec)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $x) (local.get $i))
          (v128.and (local.get $v) (f32x4.gt (local.get $v) (local.get $zero))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nextVec)))
    (block $tailDone
      (loop $nextTail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $x) (local.get $i))
          (select (local.get $s) (f32.const 0) (f32.gt (local.get $s) (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $nextTail))))

    ;; ReLU's gradient in place: g = y > 0 ? g : 0, and NaN where y is NaN (dy * step(y)).
  (func (export "reluGrad") (param $g i32) (param $y i32) (param $n i32)
    (local $i i32) (local $vec i32) (local $end i32) (local $yi v128) (local $zero v128) (local $nan v128)
    (local $ys f32)
    (local.set $nan (f32x4.splat (f32.const nan)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vecDone
      (loop $nextVec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vec)))
        (local.set $yi (v128.load (i32.add (local.get $y) (local.get $i))))
        (v128.store (i32.add (local.get $g) (local.get $i))
          (v128.bitselect
            (local.get $nan)
            (v128.bitselect
              (v128.load (i32.add (local.get $g) (local.get $i)))
              (local.get $zero)
              (f32x4.gt (local.get $yi) (local.get $zero)))
            (f32x4.ne (local.get $yi) (local.get $yi))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nextVec)))
    (block $tailDone
      (loop $nextTail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $ys (f32.load (i32.add (local.get $y) (local.get $i))))
        (if (f32.ne (local.get $ys) (local.get $ys))
          (then (f32.store (i32.add (local.get $g) (local.get $i)) (f32.const nan)))
          (else
            (if (i32.eqz (f32.gt (local.get $ys) (f32.const 0)))
              (then (f32.store (i32.add (local.get $g) (local.get $i)) (f32.const 0))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $nextTail)))))
