;; im2col and col2im for NHWC convolutions on the tfjs wasm backend's own memory (offsets in bytes).
;; A geometry is passed as H W C (input height, width, channels), OH OW (output height, width), KH KW
;; (filter height, width), SH SW (strides), PT PL (padding top, left). A column-matrix row is one output
;; pixel: for each filter row kh, the KW * C inputs under the filter (zeros over the padding).
(module
  (import "env" "memory" (memory 1))

  ;; Copies $bytes (a multiple of 4) from $src to $dst: short runs (one channel) word by word.
  (func $copy (param $dst i32) (param $src i32) (param $bytes i32)
    (local $end i32)
    (if (i32.ge_u (local.get $bytes) (i32.const 64))
      (then
        (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
        (return)))
    (local.set $end (i32.add (local.get $src) (local.get $bytes)))
    (block $done
      (loop $word
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store (local.get $dst) (i32.load (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $word))))

  ;; Adds the $bytes / 4 floats at $src to those at $dst, four at a time, then one at a time.
  (func $add (param $dst i32) (param $src i32) (param $bytes i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $src) (local.get $bytes)))
    (local.set $end4 (i32.add (local.get $src) (i32.and (local.get $bytes) (i32.const -16))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $src) (local.get $end4)))
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $one))))

  ;; The filter columns [lo, hi) that fall inside the image for an output column starting at $iw0, as
  ;; (lo << 16) | hi, or 0 when none does.
  (func $inside (param $iw0 i32) (param $W i32) (param $KW i32) (result i32)
    (local $lo i32) (local $hi i32)
    (local.set $lo (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0) (i32.lt_s (local.get $iw0) (i32.const 0))))
    (local.set $hi (i32.sub (local.get $W) (local.get $iw0)))
    (if (i32.gt_s (local.get $hi) (local.get $KW)) (then (local.set $hi (local.get $KW))))
    (if (result i32) (i32.lt_s (local.get $lo) (local.get $hi))
      (then (i32.or (i32.shl (local.get $lo) (i32.const 16)) (local.get $hi)))
      (else (i32.const 0))))

  ;; Writes the column rows of images [first, first + count) of x (the batch's first image at $x) at $col.
  (func (export "im2col")
    (param $x i32) (param $col i32) (param $first i32) (param $count i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $n i32) (local $end i32) (local $image i32) (local $oh i32) (local $ow i32) (local $kh i32)
    (local $ih0 i32) (local $iw0 i32) (local $ih i32) (local $span i32)
    (local $pix i32) (local $tap i32) (local $row i32) (local $lo i32) (local $run i32) (local $src i32)
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $tap (i32.mul (local.get $KW) (local.get $pix)))
    (local.set $row (local.get $col))
    (local.set $n (local.get $first))
    (local.set $end (i32.add (local.get $first) (local.get $count)))
    (block $images_done
      (loop $images
        (br_if $images_done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $image (i32.add (local.get $x) (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
        (local.set $oh (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_s (local.get $oh) (local.get $OH)))
            (local.set $ih0 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
            (local.set $ow (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_s (local.get $ow) (local.get $OW)))
                (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL)))
                (local.set $span (call $inside (local.get $iw0) (local.get $W) (local.get $KW)))
                (local.set $lo (i32.mul (i32.shr_u (local.get $span) (i32.const 16)) (local.get $pix)))
                (local.set $run (i32.sub (i32.mul (i32.and (local.get $span) (i32.const 0xffff)) (local.get $pix)) (local.get $lo)))
                (local.set $kh (i32.const 0))
                (block $taps_done
                  (loop $taps
                    (br_if $taps_done (i32.ge_s (local.get $kh) (local.get $KH)))
                    (local.set $ih (i32.add (local.get $ih0) (local.get $kh)))
                    (if (i32.or (i32.eqz (local.get $span)) (i32.ge_u (local.get $ih) (local.get $H)))
                      (then (memory.fill (local.get $row) (i32.const 0) (local.get $tap)))
                      (else
                        (if (local.get $lo) (then (memory.fill (local.get $row) (i32.const 0) (local.get $lo))))
                        (local.set $src (i32.add (local.get $image)
                          (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw0)) (local.get $pix))))
                        (call $copy (i32.add (local.get $row) (local.get $lo)) (i32.add (local.get $src) (local.get $lo)) (local.get $run))
                        (if (i32.lt_u (i32.add (local.get $lo) (local.get $run)) (local.get $tap))
                          (then (memory.fill (i32.add (i32.add (local.get $row) (local.get $lo)) (local.get $run)) (i32.const 0)
                            (i32.sub (local.get $tap) (i32.add (local.get $lo) (local.get $run))))))))
                    (local.set $row (i32.add (local.get $row) (local.get $tap)))
                    (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                    (br $taps)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))

  ;; im2col for few input channels (the first layer of a grayscale or RGB network): the same rows, written
  ;; one filter tap at a time over an image's output pixels, the columns whose window lies over the
  ;; padding zeroed apart, so each inner value is one load and one store instead of a few-byte run copy.
  (func (export "im2colNarrow")
    (param $x i32) (param $col i32) (param $first i32) (param $count i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $n i32) (local $end i32) (local $image i32) (local $base i32) (local $kh i32) (local $kw i32)
    (local $oh i32) (local $ih i32) (local $pix i32) (local $patch i32) (local $step i32)
    (local $lo i32) (local $hi i32) (local $a i32) (local $dst i32) (local $src i32) (local $stop i32)
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $patch (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $pix)))
    (local.set $step (i32.mul (local.get $SW) (local.get $pix)))
    (local.set $base (local.get $col))
    (local.set $n (local.get $first))
    (local.set $end (i32.add (local.get $first) (local.get $count)))
    (block $images_done
      (loop $images
        (br_if $images_done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $image (i32.add (local.get $x) (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
        (local.set $kh (i32.const 0))
        (block $kh_done
          (loop $khs
            (br_if $kh_done (i32.ge_s (local.get $kh) (local.get $KH)))
            (local.set $kw (i32.const 0))
            (block $kw_done
              (loop $kws
                (br_if $kw_done (i32.ge_s (local.get $kw) (local.get $KW)))
                ;; Output columns [lo, hi) read inside the image: ow * SW + kw - PL in [0, W).
                (local.set $a (i32.sub (local.get $PL) (local.get $kw)))
                (local.set $lo (select (i32.div_s (i32.add (local.get $a) (i32.sub (local.get $SW) (i32.const 1))) (local.get $SW)) (i32.const 0) (i32.gt_s (local.get $a) (i32.const 0))))
                (local.set $a (i32.add (local.get $W) (local.get $a)))
                (local.set $hi (select (i32.div_s (i32.add (local.get $a) (i32.sub (local.get $SW) (i32.const 1))) (local.get $SW)) (i32.const 0) (i32.gt_s (local.get $a) (i32.const 0))))
                (if (i32.gt_s (local.get $lo) (local.get $OW)) (then (local.set $lo (local.get $OW))))
                (if (i32.gt_s (local.get $hi) (local.get $OW)) (then (local.set $hi (local.get $OW))))
                (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
                (local.set $oh (i32.const 0))
                (block $oh_done
                  (loop $ohs
                    (br_if $oh_done (i32.ge_s (local.get $oh) (local.get $OH)))
                    (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)) (local.get $kh)))
                    ;; This tap's place in the row of output pixel (oh, 0).
                    (local.set $dst (i32.add (local.get $base)
                      (i32.add (i32.mul (i32.mul (local.get $oh) (local.get $OW)) (local.get $patch))
                        (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $pix)))))
                    (if (i32.ge_u (local.get $ih) (local.get $H))
                      (then (call $zeros (local.get $dst) (local.get $OW) (local.get $pix) (local.get $patch)))
                      (else
                        (call $zeros (local.get $dst) (local.get $lo) (local.get $pix) (local.get $patch))
                        (local.set $src (i32.add (local.get $image)
                          (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $SW)) (local.get $kw)) (local.get $PL))) (local.get $pix))))
                        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $lo) (local.get $patch))))
                        (local.set $stop (i32.add (local.get $dst) (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $patch))))
                        (if (i32.eq (local.get $pix) (i32.const 4))
                          (then
                            (block $one_done
                              (loop $one
                                (br_if $one_done (i32.ge_u (local.get $dst) (local.get $stop)))
                                (i32.store (local.get $dst) (i32.load (local.get $src)))
                                (local.set $src (i32.add (local.get $src) (local.get $step)))
                                (local.set $dst (i32.add (local.get $dst) (local.get $patch)))
                                (br $one))))
                          (else
                            (block $many_done
                              (loop $many
                                (br_if $many_done (i32.ge_u (local.get $dst) (local.get $stop)))
                                (call $copy (local.get $dst) (local.get $src) (local.get $pix))
                                (local.set $src (i32.add (local.get $src) (local.get $step)))
                                (local.set $dst (i32.add (local.get $dst) (local.get $patch)))
                                (br $many)))))
                        (call $zeros (local.get $dst) (i32.sub (local.get $OW) (local.get $hi)) (local.get $pix) (local.get $patch))))
                    (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                    (br $ohs)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kws)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khs)))
        (local.set $base (i32.add (local.get $base) (i32.mul (i32.mul (local.get $OH) (local.get $OW)) (local.get $patch))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))

  ;; Zeroes $bytes at $dst and each $stride after it, $times times.
  (func $zeros (param $dst i32) (param $times i32) (param $bytes i32) (param $stride i32)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $times) (i32.const 0)))
        (memory.fill (local.get $dst) (i32.const 0) (local.get $bytes))
        (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
        (local.set $times (i32.sub (local.get $times) (i32.const 1)))
        (br $next))))

  ;; Adds the column rows of images [first, first + count) at $col to the input positions they were
  ;; taken from, in dx (the batch's first image at $dx, zeroed by the caller); padding is dropped.
  (func (export "col2im")
    (param $col i32) (param $dx i32) (param $first i32) (param $count i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $n i32) (local $end i32) (local $image i32) (local $oh i32) (local $ow i32) (local $kh i32)
    (local $ih0 i32) (local $iw0 i32) (local $ih i32) (local $span i32)
    (local $pix i32) (local $tap i32) (local $row i32) (local $lo i32) (local $run i32) (local $dst i32)
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $tap (i32.mul (local.get $KW) (local.get $pix)))
    (local.set $row (local.get $col))
    (local.set $n (local.get $first))
    (local.set $end (i32.add (local.get $first) (local.get $count)))
    (block $images_done
      (loop $images
        (br_if $images_done (i32.ge_u (local.get $n) (local.get $end)))
        (local.set $image (i32.add (local.get $dx) (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
        (local.set $oh (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_s (local.get $oh) (local.get $OH)))
            (local.set $ih0 (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
            (local.set $ow (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_s (local.get $ow) (local.get $OW)))
                (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL)))
                (local.set $span (call $inside (local.get $iw0) (local.get $W) (local.get $KW)))
                (local.set $lo (i32.mul (i32.shr_u (local.get $span) (i32.const 16)) (local.get $pix)))
                (local.set $run (i32.sub (i32.mul (i32.and (local.get $span) (i32.const 0xffff)) (local.get $pix)) (local.get $lo)))
                (local.set $kh (i32.const 0))
                (block $taps_done
                  (loop $taps
                    (br_if $taps_done (i32.ge_s (local.get $kh) (local.get $KH)))
                    (local.set $ih (i32.add (local.get $ih0) (local.get $kh)))
                    (if (i32.and (i32.ne (local.get $span) (i32.const 0)) (i32.lt_u (local.get $ih) (local.get $H)))
                      (then
                        (local.set $dst (i32.add (local.get $image)
                          (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw0)) (local.get $pix))))
                        (call $add (i32.add (local.get $dst) (local.get $lo)) (i32.add (local.get $row) (local.get $lo)) (local.get $run))))
                    (local.set $row (i32.add (local.get $row) (local.get $tap)))
                    (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                    (br $taps)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))

  ;; Max-pool's gradient: each window's dy goes to the window's largest input (the first on a tie; none
  ;; when the window holds only NaN or -Infinity), added into dx (zeroed by the caller). Four channels at
  ;; a time: the running maxima and their byte offsets in x, then a scatter.
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32) (param $N i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32)
    (local $n i32) (local $image i32) (local $oh i32) (local $ow i32) (local $c i32) (local $c4 i32)
    (local $ihLo i32) (local $ihHi i32) (local $iwLo i32) (local $iwHi i32) (local $ih i32) (local $iw i32)
    (local $pix i32) (local $o i32) (local $p i32)
    (local $best v128) (local $where v128) (local $v v128) (local $m v128) (local $bestS f32) (local $whereS i32)
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $c4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $o (local.get $dy))
    (local.set $n (i32.const 0))
    (block $images_done
      (loop $images
        (br_if $images_done (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $image (i32.add (local.get $x) (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
        (local.set $oh (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_s (local.get $oh) (local.get $OH)))
            (local.set $ihLo (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
            (local.set $ihHi (i32.add (local.get $ihLo) (local.get $KH)))
            (if (i32.lt_s (local.get $ihLo) (i32.const 0)) (then (local.set $ihLo (i32.const 0))))
            (if (i32.gt_s (local.get $ihHi) (local.get $H)) (then (local.set $ihHi (local.get $H))))
            (local.set $ow (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_s (local.get $ow) (local.get $OW)))
                (local.set $iwLo (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL)))
                (local.set $iwHi (i32.add (local.get $iwLo) (local.get $KW)))
                (if (i32.lt_s (local.get $iwLo) (i32.const 0)) (then (local.set $iwLo (i32.const 0))))
                (if (i32.gt_s (local.get $iwHi) (local.get $W)) (then (local.set $iwHi (local.get $W))))
                (local.set $c (i32.const 0))
                ;; Four channels at a time.
                (block $groups_done
                  (loop $groups
                    (br_if $groups_done (i32.ge_s (local.get $c) (local.get $c4)))
                    (local.set $best (f32x4.splat (f32.const -inf)))
                    (local.set $where (i32x4.splat (i32.const -1)))
                    (local.set $ih (local.get $ihLo))
                    (block $wr_done
                      (loop $wr
                        (br_if $wr_done (i32.ge_s (local.get $ih) (local.get $ihHi)))
                        (local.set $iw (local.get $iwLo))
                        (block $wc_done
                          (loop $wc
                            (br_if $wc_done (i32.ge_s (local.get $iw) (local.get $iwHi)))
                            (local.set $p (i32.add (local.get $image)
                              (i32.add (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $pix))
                                (i32.shl (local.get $c) (i32.const 2)))))
                            (local.set $v (v128.load (local.get $p)))
                            (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                            (local.set $where (v128.bitselect
                              (i32x4.add (i32x4.splat (local.get $p)) (v128.const i32x4 0 4 8 12))
                              (local.get $where) (local.get $m)))
                            (local.set $iw (i32.add (local.get $iw) (i32.const 1)))
                            (br $wc)))
                        (local.set $ih (i32.add (local.get $ih) (i32.const 1)))
                        (br $wr)))
                    (call $scatter (local.get $x) (local.get $dx) (i32x4.extract_lane 0 (local.get $where)) (local.get $o))
                    (call $scatter (local.get $x) (local.get $dx) (i32x4.extract_lane 1 (local.get $where)) (i32.add (local.get $o) (i32.const 4)))
                    (call $scatter (local.get $x) (local.get $dx) (i32x4.extract_lane 2 (local.get $where)) (i32.add (local.get $o) (i32.const 8)))
                    (call $scatter (local.get $x) (local.get $dx) (i32x4.extract_lane 3 (local.get $where)) (i32.add (local.get $o) (i32.const 12)))
                    (local.set $o (i32.add (local.get $o) (i32.const 16)))
                    (local.set $c (i32.add (local.get $c) (i32.const 4)))
                    (br $groups)))
                ;; The channels left over, one at a time.
                (block $singles_done
                  (loop $singles
                    (br_if $singles_done (i32.ge_s (local.get $c) (local.get $C)))
                    (local.set $bestS (f32.const -inf))
                    (local.set $whereS (i32.const -1))
                    (local.set $ih (local.get $ihLo))
                    (block $sr_done
                      (loop $sr
                        (br_if $sr_done (i32.ge_s (local.get $ih) (local.get $ihHi)))
                        (local.set $iw (local.get $iwLo))
                        (block $sc_done
                          (loop $sc
                            (br_if $sc_done (i32.ge_s (local.get $iw) (local.get $iwHi)))
                            (local.set $p (i32.add (local.get $image)
                              (i32.add (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $pix))
                                (i32.shl (local.get $c) (i32.const 2)))))
                            (if (f32.gt (f32.load (local.get $p)) (local.get $bestS))
                              (then
                                (local.set $bestS (f32.load (local.get $p)))
                                (local.set $whereS (local.get $p))))
                            (local.set $iw (i32.add (local.get $iw) (i32.const 1)))
                            (br $sc)))
                        (local.set $ih (i32.add (local.get $ih) (i32.const 1)))
                        (br $sr)))
                    (call $scatter (local.get $x) (local.get $dx) (local.get $whereS) (local.get $o))
                    (local.set $o (i32.add (local.get $o) (i32.const 4)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $singles)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))

  ;; Average-pool's gradient: each window's dy, times $scale (1 / the window's size, as tfjs's cpu kernel
  ;; has it, padding included), added to every input of the window inside the image, in dx (zeroed by
  ;; the caller). The sums first, then one scaling pass, as the cpu kernel rounds.
  (func (export "avgPoolGrad")
    (param $dy i32) (param $dx i32) (param $N i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $PT i32) (param $PL i32) (param $scale f32)
    (local $n i32) (local $image i32) (local $oh i32) (local $ow i32)
    (local $ihLo i32) (local $ihHi i32) (local $iwLo i32) (local $iwHi i32) (local $ih i32) (local $iw i32)
    (local $pix i32) (local $o i32) (local $p i32) (local $end i32) (local $end4 i32) (local $s v128)
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $o (local.get $dy))
    (local.set $n (i32.const 0))
    (block $images_done
      (loop $images
        (br_if $images_done (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $image (i32.add (local.get $dx) (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
        (local.set $oh (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_s (local.get $oh) (local.get $OH)))
            (local.set $ihLo (i32.sub (i32.mul (local.get $oh) (local.get $SH)) (local.get $PT)))
            (local.set $ihHi (i32.add (local.get $ihLo) (local.get $KH)))
            (if (i32.lt_s (local.get $ihLo) (i32.const 0)) (then (local.set $ihLo (i32.const 0))))
            (if (i32.gt_s (local.get $ihHi) (local.get $H)) (then (local.set $ihHi (local.get $H))))
            (local.set $ow (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_s (local.get $ow) (local.get $OW)))
                (local.set $iwLo (i32.sub (i32.mul (local.get $ow) (local.get $SW)) (local.get $PL)))
                (local.set $iwHi (i32.add (local.get $iwLo) (local.get $KW)))
                (if (i32.lt_s (local.get $iwLo) (i32.const 0)) (then (local.set $iwLo (i32.const 0))))
                (if (i32.gt_s (local.get $iwHi) (local.get $W)) (then (local.set $iwHi (local.get $W))))
                (local.set $ih (local.get $ihLo))
                (block $wr_done
                  (loop $wr
                    (br_if $wr_done (i32.ge_s (local.get $ih) (local.get $ihHi)))
                    (local.set $iw (local.get $iwLo))
                    (block $wc_done
                      (loop $wc
                        (br_if $wc_done (i32.ge_s (local.get $iw) (local.get $iwHi)))
                        (call $add
                          (i32.add (local.get $image) (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $pix)))
                          (local.get $o) (local.get $pix))
                        (local.set $iw (i32.add (local.get $iw) (i32.const 1)))
                        (br $wc)))
                    (local.set $ih (i32.add (local.get $ih) (i32.const 1)))
                    (br $wr)))
                (local.set $o (i32.add (local.get $o) (local.get $pix)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images)))
    ;; dx *= scale
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $p (local.get $dx))
    (local.set $end (i32.add (local.get $dx) (i32.mul (local.get $N) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $pix)))))
    (local.set $end4 (i32.add (local.get $dx) (i32.and (i32.sub (local.get $end) (local.get $dx)) (i32.const -16))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $p) (local.get $end4)))
        (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $s)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $scale)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $one))))

    ;; dx at the position of x's byte offset $where (none when -1: offsets are multiples of 4) += the float at $dy.
  (func $scatter (param $x i32) (param $dx i32) (param $where i32) (param $dy i32)
    (local $at i32)
    (if (i32.ne (local.get $where) (i32.const -1))
      (then
        (local.set $at (i32.add (local.get $dx) (i32.sub (local.get $where) (local.get $x))))
        (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $dy))))))))
