package io.stagewise.trainer.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The objectives a {@link TrainConfig} can name. */
public enum ObjectiveKind {
    LM, SFT;

    public Objective create() {
        return switch (this) {
            case LM -> new LmObjective();
            case SFT -> new SftObjective();
        };
    }

    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code lm} / {@code sft}, naming the allowed values on failure. */
    public static ObjectiveKind fromName(String name) {
        for (ObjectiveKind kind : values()) {
            if (kind.specName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("train.objective: unknown value '" + name + "', expected one of "
                + Arrays.stream(values()).map(ObjectiveKind::specName).collect(Collectors.joining(", ")));
    }
}
