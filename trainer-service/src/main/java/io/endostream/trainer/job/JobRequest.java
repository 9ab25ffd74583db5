package io.endostream.trainer.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /jobs}: the job type and its options, named as on the command line without the dashes, e.g.
 * {@code {"type":"finetune","options":{"dataset":"/data/kvasir-seg","epochs":10,"pretrained":"/runs/p1/checkpoints/last.zip"}}}.
 * A {@code true} value is a flag ({@code "resume": true}); a list repeats the option. Without {@code run-dir}
 * (or {@code out} for export) the job writes into {@code <endostream.trainer.run-root>/<job id>}; every path is
 * confined to the configured roots ({@link PathConfinement}).
 */
public record JobRequest(String type, Map<String, Object> options) {

    /** The options as command-line arguments. */
    public List<String> toArgs() {
        List<String> args = new ArrayList<>();
        if (options == null) {
            return args;
        }
        for (Map.Entry<String, Object> e : options.entrySet()) {
            String key = e.getKey();
            if (key == null || key.isBlank() || key.startsWith("-")) {
                throw new JobRequestException("options", "option names are given without dashes, was '" + key + "'");
            }
            Object v = e.getValue();
            String flag = "--" + key;
            if (v == null || Boolean.FALSE.equals(v)) {
                continue;
            }
            if (Boolean.TRUE.equals(v)) {
                args.add(flag);
            } else if (v instanceof Collection<?> many) {
                for (Object one : many) {
                    args.add(flag);
                    args.add(String.valueOf(one));
                }
            } else if (v instanceof Map) {
                throw new JobRequestException("options." + key, "option '" + key + "' must be a string, number, boolean or list");
            } else {
                args.add(flag);
                args.add(String.valueOf(v));
            }
        }
        return args;
    }
}
