package dev.prune4j.model.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Quality against sparsity, as in the seeds' figures: two panels (mean cosine to the dense
 * embeddings, top-1 retrieval agreement), one line per method and scope over the requested
 * sparsities (evenly spaced, since 0.9 to 0.99 is where models break), N:M patterns as single
 * markers at their fixed sparsity. Drawn headless.
 */
public final class EvalPlot {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int PANEL_W = 560, PANEL_H = 400, MARGIN = 60, LEGEND_H = 70;
    private static final Color[] PALETTE = {new Color(0x4C78A8), new Color(0xF58518), new Color(0x54A24B),
            new Color(0xE45756), new Color(0x72B7B2), new Color(0xB279A2), new Color(0xFF9DA6), new Color(0x9D755D)};

    private EvalPlot() {}

    public static void write(List<EvalResult> results, String title, Path target) throws IOException {
        BufferedImage img = draw(results, title);
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this JDK");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static BufferedImage draw(List<EvalResult> results, String title) {
        TreeSet<Double> xs = new TreeSet<>();
        Map<String, List<EvalResult>> series = new LinkedHashMap<>();
        for (EvalResult r : results) {
            xs.add(r.sparsity());
            series.computeIfAbsent(r.method() + " " + r.setting(), k -> new ArrayList<>()).add(r);
        }
        List<Double> ticks = new ArrayList<>(xs);
        int width = 2 * PANEL_W + 3 * MARGIN;
        int height = PANEL_H + 2 * MARGIN + LEGEND_H;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, MARGIN, 28);
        panel(g, MARGIN, MARGIN, "mean cosine similarity to dense embeddings", ticks, series, true);
        panel(g, 2 * MARGIN + PANEL_W, MARGIN, "top-1 retrieval agreement with dense", ticks, series, false);
        legend(g, MARGIN, MARGIN + PANEL_H + 62, series);
        g.dispose();
        return img;
    }

    private static void panel(Graphics2D g, int x0, int y0, String label, List<Double> ticks,
                              Map<String, List<EvalResult>> series, boolean cosine) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xF4F6F8));
        g.fillRect(x0, y0, PANEL_W, PANEL_H);
        for (int i = 0; i <= 5; i++) {
            int y = y0 + PANEL_H - i * PANEL_H / 5;
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x0, y, x0 + PANEL_W, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.1f", i / 5.0), x0 - 28, y + 4);
        }
        for (int i = 0; i < ticks.size(); i++) {
            int x = xOf(x0, i, ticks.size());
            g.drawString(String.format(Locale.ROOT, "%.2f", ticks.get(i)), x - 12, y0 + PANEL_H + 16);
        }
        g.drawString("sparsity (fraction of linear weights pruned)", x0 + PANEL_W / 2 - 120, y0 + PANEL_H + 32);
        g.drawString(label, x0 + 4, y0 - 6);
        int c = 0;
        for (List<EvalResult> s : series.values()) {
            g.setColor(PALETTE[c++ % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (EvalResult r : s) {
                int x = xOf(x0, ticks.indexOf(r.sparsity()), ticks.size());
                double v = Math.max(0, Math.min(1, cosine ? r.meanCosine() : r.top1Agreement()));
                int y = y0 + PANEL_H - (int) Math.round(v * PANEL_H);
                g.fillOval(x - 4, y - 4, 9, 9);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
        }
    }

    private static int xOf(int x0, int index, int count) {
        return x0 + 30 + (count <= 1 ? 0 : index * (PANEL_W - 60) / (count - 1));
    }

    private static void legend(Graphics2D g, int x0, int y0, Map<String, List<EvalResult>> series) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int c = 0;
        for (String name : series.keySet()) {
            int col = c % 4, row = c / 4;
            g.setColor(PALETTE[c++ % PALETTE.length]);
            int x = x0 + col * 260, y = y0 + row * 20;
            g.fillRect(x, y - 9, 14, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(name, x + 20, y);
        }
    }
}
