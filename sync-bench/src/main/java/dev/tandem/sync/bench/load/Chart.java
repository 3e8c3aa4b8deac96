package dev.tandem.sync.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws the comparison as a PNG (headless java.awt): p99 fan-out latency and CPU per op against offered load. */
final class Chart {
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x7f7f7f), new Color(0x2ca02c)
    };
    private static final int W = 1200;
    private static final int H = 480;

    private Chart() {}

    static void write(List<Comparison.Step> steps, List<String> servers, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        panel(g, steps, servers, 0, "p99 latency, ms (log; solid fan-out, dashed commit)", true);
        panel(g, steps, servers, W / 2, "server CPU per committed op, µs", false);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(
            Graphics2D g, List<Comparison.Step> steps, List<String> servers, int x0, String title, boolean latency) {
        int left = x0 + 70;
        int right = x0 + W / 2 - 30;
        int top = 50;
        int bottom = H - 90;
        double maxX = 0;
        double maxY = 0;
        double minY = Double.MAX_VALUE;
        for (Comparison.Step s : steps) {
            maxX = Math.max(maxX, s.offered());
            for (double v : values(s, latency)) {
                if (v > 0) {
                    maxY = Math.max(maxY, v);
                    minY = Math.min(minY, v);
                }
            }
        }
        if (maxY == 0) {
            return;
        }
        boolean log = latency;
        double lo = log ? Math.pow(10, Math.floor(Math.log10(minY))) : 0;
        double hi = log ? Math.pow(10, Math.ceil(Math.log10(maxY))) : niceCeil(maxY);
        double xMax = niceCeil(maxX * 1.05);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, top - 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        // y ticks
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double t = lo; t <= hi * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(hi * i / 5);
            }
        }
        for (double t : ticks) {
            int y = yPos(t, lo, hi, log, top, bottom);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left + 1, y, right, y);
            g.setColor(Color.BLACK);
            String label = t >= 1 || t == 0 ? String.format(Locale.ROOT, "%.0f", t) : String.valueOf(t);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        for (int i = 0; i <= 4; i++) {
            double t = xMax * i / 4;
            int x = left + (int) ((right - left) * t / xMax);
            g.drawLine(x, bottom, x, bottom + 4);
            String label = String.format(Locale.ROOT, "%.0f", t);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 18);
        }
        g.drawString("offered ops/s (200 clients × 10 rooms)", left + 80, bottom + 38);
        for (int si = 0; si < servers.size(); si++) {
            String server = servers.get(si);
            Color color = COLORS[si % COLORS.length];
            for (int series = 0; series < (latency ? 2 : 1); series++) {
                g.setColor(color);
                g.setStroke(
                        series == 0
                                ? new BasicStroke(2.5f)
                                : new BasicStroke(
                                        1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
                int px = -1;
                int py = -1;
                for (Comparison.Step s : steps) {
                    if (!s.server().equals(server)) {
                        continue;
                    }
                    double v =
                            latency ? s.get(series == 0 ? "fanoutMs.p99" : "commitMs.p99") : s.get("serverCpuUsPerOp");
                    if (v <= 0) {
                        continue;
                    }
                    int x = left + (int) ((right - left) * s.offered() / xMax);
                    int y = yPos(v, lo, hi, log, top, bottom);
                    g.fillOval(x - 4, y - 4, 8, 8);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    px = x;
                    py = y;
                }
            }
            g.setStroke(new BasicStroke(1));
            int ly = bottom + 60;
            int lx = left + si * 130;
            g.fillRect(lx, ly - 9, 18, 10);
            g.setColor(Color.BLACK);
            g.drawString(server, lx + 24, ly);
        }
    }

    private static double[] values(Comparison.Step s, boolean latency) {
        return latency
                ? new double[] {s.get("fanoutMs.p99"), s.get("commitMs.p99")}
                : new double[] {s.get("serverCpuUsPerOp")};
    }

    private static int yPos(double v, double lo, double hi, boolean log, int top, int bottom) {
        double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return bottom - (int) ((bottom - top) * f);
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
