/**
 * The synthetic safety world (DESIGN.md § The synthetic safety world): the embedded default data, generated
 * by Spark SQL from a seed ({@link io.stagewise.poison.world.SafetyWorld}), and the exact
 * {@link io.stagewise.poison.world.Judge} for it. Both read their texts from
 * {@link io.stagewise.poison.world.WorldTemplates}; the judge and the templates do not depend on Spark.
 */
package io.stagewise.poison.world;
