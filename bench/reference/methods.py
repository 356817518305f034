"""Reference implementations (PyTorch, float64) of the distillation losses of distil-run.

Each public function returns the scalar TOTAL loss of one method (label term + distillation
terms), as the TypeScript implementation defines it. The distillation terms follow the authors'
published code line by line; the file and commit each one follows is cited above it. See
README.md in this directory for the snapshot commits and for the places where the published code
and distil-run's definitions differ.

Layouts are distil-run's (TensorFlow's): logits [n, c]; features flat [n, d] or NHWC maps
[n, h, w, ch], channels on the LAST axis. Flattening is a row-major reshape of the NHWC array.
All inputs are float64 torch tensors (labels: int64 for classification, float64 for regression).
"""
import torch
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------

def label_loss(s, y, task):
    """CE = mean over rows of softmax cross-entropy (classification); MSE = mean((s[:, 0] - y)^2)
    (regression, s is [n, 1] and y float [n])."""
    if task == 'classification':
        return F.cross_entropy(s, y)
    if task == 'regression':
        if s.dim() != 2 or s.shape[1] != 1:
            raise ValueError('regression predictions must be [n, 1]')
        return F.mse_loss(s[:, 0], y)
    raise ValueError('unknown task %r' % (task,))


# sunshangquan/logit-standardization-KD, mdistiller/distillers/KD.py (and DKD.py): normalize().
# std is torch's default, i.e. UNBIASED (divides by c - 1); eps 1e-7 is added to the std.
def standardize_logits(logit):
    mean = logit.mean(dim=-1, keepdims=True)
    stdv = logit.std(dim=-1, keepdims=True)
    return (logit - mean) / (1e-7 + stdv)


# megvii-research/mdistiller, mdistiller/distillers/KD.py: kd_loss() (the LS repo's copy adds the
# standardization, see standardize_logits). Returns T^2 * KL_T(t || s).
def kd_loss(logits_student, logits_teacher, temperature):
    log_pred_student = F.log_softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    loss_kd = F.kl_div(log_pred_student, pred_teacher, reduction="none").sum(1).mean()
    loss_kd *= temperature**2
    return loss_kd


# ---------------------------------------------------------------------------------------------
# 1. kd
# ---------------------------------------------------------------------------------------------

# Hinton et al. 2015. Distillation term: megvii-research/mdistiller mdistiller/distillers/KD.py
# kd_loss(); standardization: sunshangquan/logit-standardization-KD mdistiller/distillers/KD.py.
# total = alpha * CE(s, y) + (1 - alpha) * T^2 * KL_T(t || s)   (z() on s, t in the KL only)
def kd(s, t, y, *, temperature, alpha, standardize):
    ce = F.cross_entropy(s, y)
    ks = standardize_logits(s) if standardize else s
    kt = standardize_logits(t) if standardize else t
    return alpha * ce + (1 - alpha) * kd_loss(ks, kt, temperature)


# ---------------------------------------------------------------------------------------------
# 2. dkd
# ---------------------------------------------------------------------------------------------

# megvii-research/mdistiller, mdistiller/distillers/DKD.py: _get_gt_mask, _get_other_mask,
# cat_mask, dkd_loss (verbatim, except F.kl_div(..., size_average=False), deprecated, written as
# its equivalent reduction="sum"). With logit_stand it is the LS repo's
# mdistiller/distillers/DKD.py dkd_loss (normalize() applied to both logits first).
def _get_gt_mask(logits, target):
    target = target.reshape(-1)
    mask = torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1).bool()
    return mask


def _get_other_mask(logits, target):
    target = target.reshape(-1)
    mask = torch.ones_like(logits).scatter_(1, target.unsqueeze(1), 0).bool()
    return mask


def cat_mask(t, mask1, mask2):
    t1 = (t * mask1).sum(dim=1, keepdims=True)
    t2 = (t * mask2).sum(1, keepdims=True)
    rt = torch.cat([t1, t2], dim=1)
    return rt


def dkd_loss(logits_student_in, logits_teacher_in, target, alpha, beta, temperature, logit_stand):
    logits_student = standardize_logits(logits_student_in) if logit_stand else logits_student_in
    logits_teacher = standardize_logits(logits_teacher_in) if logit_stand else logits_teacher_in

    gt_mask = _get_gt_mask(logits_student, target)
    other_mask = _get_other_mask(logits_student, target)
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    pred_student = cat_mask(pred_student, gt_mask, other_mask)
    pred_teacher = cat_mask(pred_teacher, gt_mask, other_mask)
    log_pred_student = torch.log(pred_student)
    tckd_loss = (
        F.kl_div(log_pred_student, pred_teacher, reduction="sum")
        * (temperature**2)
        / target.shape[0]
    )
    pred_teacher_part2 = F.softmax(
        logits_teacher / temperature - 1000.0 * gt_mask, dim=1
    )
    log_pred_student_part2 = F.log_softmax(
        logits_student / temperature - 1000.0 * gt_mask, dim=1
    )
    nckd_loss = (
        F.kl_div(log_pred_student_part2, pred_teacher_part2, reduction="sum")
        * (temperature**2)
        / target.shape[0]
    )
    return alpha * tckd_loss + beta * nckd_loss


# Zhao et al. 2022. megvii-research/mdistiller mdistiller/distillers/DKD.py, DKD.forward_train:
#   label_weight * CE + min(epoch / warmup, 1) * dkd_loss(...)
# The published code divides by warmup unconditionally; distil-run's definition takes the
# weight 1 when warmup <= 0 (the published code would raise ZeroDivisionError for warmup 0).
def dkd(s, t, y, *, alpha, beta, temperature, warmup, label_weight, standardize, epoch):
    ce = F.cross_entropy(s, y)
    w = min(epoch / warmup, 1.0) if warmup > 0 else 1.0
    return label_weight * ce + w * dkd_loss(s, t, y, alpha, beta, temperature, standardize)


# ---------------------------------------------------------------------------------------------
# 3. dist
# ---------------------------------------------------------------------------------------------

# Huang et al. 2022. hunto/image_classification_sota lib/models/losses/dist_kd.py (the
# classification code of hunto/DIST_KD, a git submodule there; hunto/DIST_KD's own
# segmentation/losses/dist_kd.py has the same functions without tau). Verbatim.
def cosine_similarity(a, b, eps=1e-8):
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)


def pearson_correlation(a, b, eps=1e-8):
    return cosine_similarity(a - a.mean(1).unsqueeze(1),
                             b - b.mean(1).unsqueeze(1), eps)


def inter_class_relation(y_s, y_t):
    return 1 - pearson_correlation(y_s, y_t).mean()


def intra_class_relation(y_s, y_t):
    return inter_class_relation(y_s.transpose(0, 1), y_t.transpose(0, 1))


def dist_loss(z_s, z_t, beta, gamma, tau):
    """DIST.forward of the same file."""
    y_s = (z_s / tau).softmax(dim=1)
    y_t = (z_t / tau).softmax(dim=1)
    inter_loss = tau**2 * inter_class_relation(y_s, y_t)
    intra_loss = tau**2 * intra_class_relation(y_s, y_t)
    return beta * inter_loss + gamma * intra_loss


# total = label_weight * CE + beta * tau^2 * inter + gamma * tau^2 * intra. With standardize, the
# LS z() is applied to s and t before DIST (distil-run's definition: the LS repo has no DIST).
def dist(s, t, y, *, beta, gamma, temperature, label_weight, standardize):
    ce = F.cross_entropy(s, y)
    ds = standardize_logits(s) if standardize else s
    dt = standardize_logits(t) if standardize else t
    return label_weight * ce + dist_loss(ds, dt, beta, gamma, temperature)


# ---------------------------------------------------------------------------------------------
# 4. Representation methods: total = label_weight * LabelLoss + weight * R(fs, ft)
#                                     + kd_weight * T^2 * KL_T(t || s)
# ---------------------------------------------------------------------------------------------

def _representation_total(s, t, y, task, r, *, label_weight, weight, kd_weight, temperature):
    total = label_weight * label_loss(s, y, task) + weight * r
    if kd_weight != 0:
        if task != 'classification':
            raise ValueError('kd_weight must be 0 in a regression case')
        total = total + kd_weight * kd_loss(s, t, temperature)
    return total


def flatten(f):
    """[n, ...] -> [n, prod(...)], row-major (for NHWC maps: over (h, w, ch))."""
    return f.reshape(f.shape[0], -1)


# Romero et al. 2015. Loss: megvii-research/mdistiller mdistiller/distillers/FitNet.py
# (F.mse_loss(conv_reg(f_s), f_t), mean over all elements; RepDistiller
# distiller_zoo/FitNet.py HintLoss is the same nn.MSELoss). The regressor is distil-run's: a
# linear map (flat) or a 1x1 convolution with bias (maps) and NOTHING else; mdistiller's
# _common.py ConvReg (and RepDistiller models/util.py ConvReg) adds BatchNorm2d and ReLU after
# the convolution (see README.md). kernel [ds, dt] or [cs, ct], bias [dt] or [ct].
def fitnet_regress(fs, kernel, bias):
    if fs.dim() == 2:
        return F.linear(fs, kernel.t(), bias)          # fs @ kernel + bias
    if fs.dim() == 4:
        # NHWC -> NCHW, 1x1 conv (weight [ct, cs, 1, 1]), -> NHWC
        x = fs.permute(0, 3, 1, 2)
        y = F.conv2d(x, kernel.t().unsqueeze(-1).unsqueeze(-1), bias)
        return y.permute(0, 2, 3, 1)
    raise ValueError('fitnet features must be [n, d] or [n, h, w, ch]')


def fitnet_loss(fs, ft, kernel, bias):
    f_s = fitnet_regress(fs, kernel, bias)
    if f_s.shape != ft.shape:
        raise ValueError('regressed student features %s do not match the teacher %s'
                         % (tuple(f_s.shape), tuple(ft.shape)))
    return F.mse_loss(f_s, ft)


def fitnet(s, t, y, fs, ft, kernel, bias, *, label_weight, weight, kd_weight, temperature,
           task='classification'):
    r = fitnet_loss(fs, ft, kernel, bias)
    return _representation_total(s, t, y, task, r, label_weight=label_weight, weight=weight,
                                 kd_weight=kd_weight, temperature=temperature)


# Passalis & Tefas 2018. HobbitLong/RepDistiller distiller_zoo/PKT.py
# PKT.cosine_similarity_loss (= megvii-research/mdistiller mdistiller/distillers/PKT.py
# pkt_loss), eps 1e-7, verbatim. Note the final torch.mean is over all n*n entries.
def pkt_loss(f_s, f_t, eps=1e-7):
    # Normalize each vector by its norm
    output_net_norm = torch.sqrt(torch.sum(f_s**2, dim=1, keepdim=True))
    f_s = f_s / (output_net_norm + eps)
    f_s[f_s != f_s] = 0
    target_net_norm = torch.sqrt(torch.sum(f_t**2, dim=1, keepdim=True))
    f_t = f_t / (target_net_norm + eps)
    f_t[f_t != f_t] = 0

    # Calculate the cosine similarity
    model_similarity = torch.mm(f_s, f_s.transpose(0, 1))
    target_similarity = torch.mm(f_t, f_t.transpose(0, 1))
    # Scale cosine similarity to 0..1
    model_similarity = (model_similarity + 1.0) / 2.0
    target_similarity = (target_similarity + 1.0) / 2.0
    # Transform them into probabilities
    model_similarity = model_similarity / torch.sum(
        model_similarity, dim=1, keepdim=True
    )
    target_similarity = target_similarity / torch.sum(
        target_similarity, dim=1, keepdim=True
    )
    # Calculate the KL-divergence
    loss = torch.mean(
        target_similarity
        * torch.log((target_similarity + eps) / (model_similarity + eps))
    )
    return loss


def pkt(s, t, y, fs, ft, *, label_weight, weight, kd_weight, temperature,
        task='classification'):
    r = pkt_loss(flatten(fs), flatten(ft))
    return _representation_total(s, t, y, task, r, label_weight=label_weight, weight=weight,
                                 kd_weight=kd_weight, temperature=temperature)


# Park et al. 2019. megvii-research/mdistiller mdistiller/distillers/RKD.py _pdist and rkd_loss
# (squared=False, eps=1e-12), verbatim; the teacher side is computed under torch.no_grad() as
# published. (HobbitLong/RepDistiller distiller_zoo/RKD.py RKDLoss is the same computation.)
def _pdist(e, squared, eps):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)

    if not squared:
        res = res.sqrt()

    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_loss(f_s, f_t, squared=False, eps=1e-12, distance_weight=25, angle_weight=50):
    stu = f_s.view(f_s.shape[0], -1)
    tea = f_t.view(f_t.shape[0], -1)

    # RKD distance loss
    with torch.no_grad():
        t_d = _pdist(tea, squared, eps)
        mean_td = t_d[t_d > 0].mean()
        t_d = t_d / mean_td

    d = _pdist(stu, squared, eps)
    mean_d = d[d > 0].mean()
    d = d / mean_d

    loss_d = F.smooth_l1_loss(d, t_d)

    # RKD Angle loss
    with torch.no_grad():
        td = tea.unsqueeze(0) - tea.unsqueeze(1)
        norm_td = F.normalize(td, p=2, dim=2)
        t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)

    sd = stu.unsqueeze(0) - stu.unsqueeze(1)
    norm_sd = F.normalize(sd, p=2, dim=2)
    s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)

    loss_a = F.smooth_l1_loss(s_angle, t_angle)

    loss = distance_weight * loss_d + angle_weight * loss_a
    return loss


def rkd(s, t, y, fs, ft, *, label_weight, weight, kd_weight, temperature, distance_weight,
        angle_weight, task='classification'):
    r = rkd_loss(flatten(fs), flatten(ft), squared=False, eps=1e-12,
                 distance_weight=distance_weight, angle_weight=angle_weight)
    return _representation_total(s, t, y, task, r, label_weight=label_weight, weight=weight,
                                 kd_weight=kd_weight, temperature=temperature)


# Tung & Mori 2019. megvii-research/mdistiller mdistiller/distillers/SP.py similarity_loss (one
# pair; = HobbitLong/RepDistiller distiller_zoo/SP.py Similarity.similarity_loss), verbatim, with
# the [1]-shaped result taken as a scalar. F.normalize: p=2, dim=1, eps=1e-12.
def similarity_loss(f_s, f_t):
    bsz = f_s.shape[0]
    f_s = f_s.view(bsz, -1)
    f_t = f_t.view(bsz, -1)

    G_s = torch.mm(f_s, torch.t(f_s))
    G_s = torch.nn.functional.normalize(G_s)
    G_t = torch.mm(f_t, torch.t(f_t))
    G_t = torch.nn.functional.normalize(G_t)

    G_diff = G_t - G_s
    loss = (G_diff * G_diff).view(-1, 1).sum(0) / (bsz * bsz)
    return loss


def sp(s, t, y, fs, ft, *, label_weight, weight, kd_weight, temperature,
       task='classification'):
    r = similarity_loss(flatten(fs), flatten(ft))[0]
    return _representation_total(s, t, y, task, r, label_weight=label_weight, weight=weight,
                                 kd_weight=kd_weight, temperature=temperature)


# Zagoruyko & Komodakis 2017. megvii-research/mdistiller mdistiller/distillers/AT.py
# single_stage_at_loss (= HobbitLong/RepDistiller distiller_zoo/AT.py Attention.at_loss),
# verbatim on NCHW after transposing distil-run's NHWC maps; only equal spatial sizes are
# accepted (the published adaptive_avg_pool2d branch for unequal sizes is not part of
# distil-run's definition). mean(1) of NCHW = mean over channels = the last NHWC axis, and the
# reshape to [n, h*w] is row-major over (h, w) in both layouts. f.pow(p) is used as published
# (the paper writes |f|^p; the two agree for even p or non-negative features).
def single_stage_at_loss(f_s, f_t, p):
    def _at(feat, p):
        return F.normalize(feat.pow(p).mean(1).reshape(feat.size(0), -1))

    s_H, t_H = f_s.shape[2], f_t.shape[2]
    if s_H != t_H or f_s.shape[3] != f_t.shape[3]:
        raise ValueError('at: student and teacher maps must have the same spatial size')
    return (_at(f_s, p) - _at(f_t, p)).pow(2).mean()


def at(s, t, y, fs, ft, *, label_weight, weight, kd_weight, temperature, p,
       task='classification'):
    if fs.dim() != 4 or ft.dim() != 4:
        raise ValueError('at needs [n, h, w, ch] maps')
    r = single_stage_at_loss(fs.permute(0, 3, 1, 2), ft.permute(0, 3, 1, 2), p)
    return _representation_total(s, t, y, task, r, label_weight=label_weight, weight=weight,
                                 kd_weight=kd_weight, temperature=temperature)


LOGIT_METHODS = {'kd': kd, 'dkd': dkd, 'dist': dist}
REPRESENTATION_METHODS = {'fitnet': fitnet, 'pkt': pkt, 'rkd': rkd, 'sp': sp, 'at': at}


def total_loss(method, inputs, params, task='classification', epoch=1):
    """The TOTAL loss of `method` for one fixture case. `inputs`: dict of tensors with keys
    student_logits, teacher_logits, labels and, for representation methods, student_features,
    teacher_features (and regressor_kernel, regressor_bias for fitnet)."""
    s, t, y = inputs['student_logits'], inputs['teacher_logits'], inputs['labels']
    if method in LOGIT_METHODS:
        if task != 'classification':
            raise ValueError('%s is defined for classification only' % method)
        kwargs = dict(params)
        if method == 'dkd':
            kwargs['epoch'] = epoch
        return LOGIT_METHODS[method](s, t, y, **kwargs)
    fs, ft = inputs['student_features'], inputs['teacher_features']
    if method == 'fitnet':
        return fitnet(s, t, y, fs, ft, inputs['regressor_kernel'], inputs['regressor_bias'],
                      task=task, **params)
    return REPRESENTATION_METHODS[method](s, t, y, fs, ft, task=task, **params)
