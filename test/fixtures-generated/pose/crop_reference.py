#!/usr/bin/env python3
"""DWPose crop references made with OpenCV itself, for src-main/engine/control/pose/estimate-keypoints.test.ts.

For a seeded picture and a few person boxes, does what the DWPose annotator does before its pose model (box centre
and scale with padding 1.25, scale widened to 288:384, the warp matrix through three float32 points solved by
cv2.getAffineTransform, cv2.warpAffine bilinear) — written again here from its documented behaviour — and writes
crop_cases.json (boxes, centres, scales, matrices) and one PNG per crop. The picture is crop_picture.png.

Run from this folder with Debian's python3-opencv 4.6.0: /usr/bin/python3 crop_reference.py
"""
import json

import cv2
import numpy as np

INPUT_W, INPUT_H = 288, 384


def third_point(a, b):
    d = a - b
    return b + np.r_[-d[1], d[0]]


def region(box):
    x1, y1, x2, y2 = box
    center = np.array([x1 + x2, y1 + y2]) * 0.5
    w, h = (x2 - x1) * 1.25, (y2 - y1) * 1.25
    aspect = INPUT_W / INPUT_H
    scale = np.array([w, w / aspect]) if w > h * aspect else np.array([h * aspect, h])
    return center, scale


def matrix(center, scale):
    src = np.zeros((3, 2), dtype=np.float32)
    src[0, :] = center
    src[1, :] = center + np.array([0.0, scale[0] * -0.5])
    src[2, :] = third_point(src[0, :], src[1, :])
    dst = np.zeros((3, 2), dtype=np.float32)
    dst[0, :] = [INPUT_W * 0.5, INPUT_H * 0.5]
    dst[1, :] = np.array([INPUT_W * 0.5, INPUT_H * 0.5]) + np.array([0.0, INPUT_W * -0.5])
    dst[2, :] = third_point(dst[0, :], dst[1, :])
    return cv2.getAffineTransform(np.float32(src), np.float32(dst))


def main():
    rng = np.random.default_rng(7)
    picture = rng.integers(0, 256, size=(131, 97, 3), dtype=np.uint8)
    cv2.imwrite('crop_picture.png', picture[:, :, ::-1])
    boxes = [[10.5, 20.25, 60.75, 110.0], [0.0, 0.0, 97.0, 131.0], [40.123456, 5.5, 95.987654, 30.25], [-12.0, 50.0, 30.0, 140.0]]
    cases = []
    for k, box in enumerate(boxes):
        box = [float(np.float32(v)) for v in box]
        center, scale = region(np.array(box, dtype=np.float64))
        m = matrix(center, scale)
        crop = cv2.warpAffine(picture, m, (INPUT_W, INPUT_H), flags=cv2.INTER_LINEAR)
        cv2.imwrite(f'crop-{k}.png', crop[:, :, ::-1])
        cases.append({'box': box, 'center': center.tolist(), 'scale': scale.tolist(), 'matrix': m.reshape(-1).tolist(), 'crop': f'crop-{k}.png'})
    with open('crop_cases.json', 'w') as out:
        json.dump({'opencv': cv2.__version__, 'input': [INPUT_W, INPUT_H], 'cases': cases}, out)


if __name__ == '__main__':
    main()
