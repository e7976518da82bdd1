#!/usr/bin/env python3
"""OpenPose drawing references made with OpenCV itself, for src-main/engine/control/pose/draw-pose.test.ts.

Draws seeded people with the cv2 calls the upstream OpenPose annotator makes (ControlNet 1.1 / DWPose util:
draw_bodypose, draw_handpose, draw_facepose, written again here from their documented behaviour) and writes
cases.json (the keypoints as exact floats, null where unseen) and one PNG per case holding the canvas's RGB bytes.
Our TypeScript drawing must give the same bytes.

Run from this folder with Debian's python3-opencv 4.6.0 and python3-matplotlib: /usr/bin/python3 draw_reference.py
"""
import json
import math

import cv2
import matplotlib.colors
import numpy as np

LIMBS = [[2, 3], [2, 6], [3, 4], [4, 5], [6, 7], [7, 8], [2, 9], [9, 10], [10, 11], [2, 12], [12, 13], [13, 14],
         [2, 1], [1, 15], [15, 17], [1, 16], [16, 18]]
COLORS = [[255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0],
          [0, 255, 85], [0, 255, 170], [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255],
          [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85]]
BONES = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [0, 9], [9, 10], [10, 11], [11, 12],
         [0, 13], [13, 14], [14, 15], [15, 16], [0, 17], [17, 18], [18, 19], [19, 20]]
EPS = 0.01


def draw(people, width, height, hands, face):
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    for i, (a, b) in enumerate(LIMBS):
        for person in people:
            p, q = person['body'][a - 1], person['body'][b - 1]
            if p is None or q is None:
                continue
            xs = np.array([p[0], q[0]]) * float(width)
            ys = np.array([p[1], q[1]]) * float(height)
            mean_y, mean_x = np.mean(ys), np.mean(xs)
            length = ((ys[0] - ys[1]) ** 2 + (xs[0] - xs[1]) ** 2) ** 0.5
            angle = math.degrees(math.atan2(ys[0] - ys[1], xs[0] - xs[1]))
            polygon = cv2.ellipse2Poly((int(mean_x), int(mean_y)), (int(length / 2), 4), int(angle), 0, 360, 1)
            cv2.fillConvexPoly(canvas, polygon, COLORS[i])
    canvas = (canvas * 0.6).astype(np.uint8)
    for i in range(18):
        for person in people:
            p = person['body'][i]
            if p is not None:
                cv2.circle(canvas, (int(p[0] * width), int(p[1] * height)), 4, COLORS[i], thickness=-1)
    if hands:
        for side in (0, 1):
            for person in people:
                peaks = [(-1.0, -1.0) if p is None else p for p in person['hands'][side]]
                for ie, (a, b) in enumerate(BONES):
                    x1, y1 = int(peaks[a][0] * width), int(peaks[a][1] * height)
                    x2, y2 = int(peaks[b][0] * width), int(peaks[b][1] * height)
                    if x1 > EPS and y1 > EPS and x2 > EPS and y2 > EPS:
                        color = matplotlib.colors.hsv_to_rgb([ie / float(len(BONES)), 1.0, 1.0]) * 255
                        cv2.line(canvas, (x1, y1), (x2, y2), color, thickness=2)
                for x, y in peaks:
                    x, y = int(x * width), int(y * height)
                    if x > EPS and y > EPS:
                        cv2.circle(canvas, (x, y), 4, (0, 0, 255), thickness=-1)
    if face:
        for person in people:
            for p in person['face']:
                if p is None:
                    continue
                x, y = int(p[0] * width), int(p[1] * height)
                if x > EPS and y > EPS:
                    cv2.circle(canvas, (x, y), 3, (255, 255, 255), thickness=-1)
    return canvas


# A standing person in [0, 1] of a 1 × 1.25 box (OpenPose order), hands as fans at the wrists, a face ring.
BODY = [(0.5, 0.12), (0.5, 0.25), (0.38, 0.26), (0.33, 0.42), (0.3, 0.56), (0.62, 0.26), (0.67, 0.42), (0.7, 0.56),
        (0.43, 0.56), (0.42, 0.76), (0.41, 0.95), (0.57, 0.56), (0.58, 0.76), (0.59, 0.95), (0.47, 0.1), (0.53, 0.1),
        (0.44, 0.12), (0.56, 0.12)]


def person(rng, x0, y0, size, drop):
    def place(u, v, jitter):
        return [float(x0 + size * u + rng.normal(0, jitter)), float(y0 + size * v + rng.normal(0, jitter))]
    body = [place(u, v, 0.01) for u, v in BODY]
    hands = []
    for wrist in (body[7], body[4]):
        hand = [wrist]
        for finger in range(5):
            angle = math.pi / 2 + (finger - 2) * 0.35 + rng.normal(0, 0.05)
            for joint in range(1, 5):
                r = size * 0.025 * joint
                hand.append([float(wrist[0] + r * math.cos(angle)), float(wrist[1] + r * math.sin(angle))])
        hands.append(hand)
    nose = body[0]
    face = [[float(nose[0] + size * 0.05 * math.cos(2 * math.pi * k / 68)),
             float(nose[1] + size * 0.06 * math.sin(2 * math.pi * k / 68))] for k in range(68)]
    for part, index in drop:
        if part == 'body':
            body[index] = None
        elif part == 'face':
            face[index] = None
        else:
            hands[part][index] = None
    return {'body': body, 'hands': hands, 'face': face}


def scattered(rng):
    """Joints anywhere in and around the canvas: every limb angle, long and zero-length limbs, clipping."""
    body = [[float(v) for v in rng.uniform(-0.2, 1.2, 2)] for _ in range(18)]
    body[9] = list(body[8])  # a zero-length limb
    hands = [[[float(v) for v in rng.uniform(-0.1, 1.1, 2)] for _ in range(21)] for _ in range(2)]
    face = [[float(v) for v in rng.uniform(-0.05, 1.05, 2)] for _ in range(68)]
    return {'body': body, 'hands': hands, 'face': face}


def main():
    rng = np.random.default_rng(20240611)
    group = [
        person(rng, 0.05, 0.05, 0.55, [('body', 16), (0, 3), ('face', 10)]),
        # The second reaches past the right and bottom edges; its left hand is off the canvas on the left.
        person(rng, 0.55, 0.35, 0.6, [('body', 9), ('body', 10), (1, 20)]),
    ]
    group[1]['hands'][0] = [[float(-0.05 - 0.01 * k), 0.5] for k in range(21)]
    cases = []
    for name, hands, face in [('body', False, False), ('hands', True, False), ('face', False, True), ('full', True, True)]:
        cases.append({'name': f'group-{name}', 'width': 320, 'height': 256, 'hands': hands, 'face': face, 'people': group})
    for k in range(3):
        cases.append({'name': f'scattered-{k}', 'width': 200 + 37 * k, 'height': 150 + 23 * k, 'hands': True, 'face': True,
                      'people': [scattered(rng) for _ in range(3)]})
    for case in cases:
        canvas = draw(case['people'], case['width'], case['height'], case['hands'], case['face'])
        cv2.imwrite(f"{case['name']}.png", canvas[:, :, ::-1])
    with open('cases.json', 'w') as out:
        json.dump({'opencv': cv2.__version__, 'cases': cases}, out)


if __name__ == '__main__':
    main()
