import { isPinnedImage, unpinnedKind } from "./image";
import { ConfigObject, fixCommand, fullKey, Problems, show } from "./reader";
import { DEFAULTS, isProductionStack, RULES, SMOKE_TEST_KEYS } from "./schema";
import type { SmokeTestSettings } from "./settings";

/** `smokeTest`: the in-cluster check `pulumi up` runs after ai-service rolls out. */

export function readSmokeTest(problems: Problems, raw: unknown, stack: string): SmokeTestSettings {
    const smokeTest = new ConfigObject(problems, "smokeTest", raw, SMOKE_TEST_KEYS);
    const image = smokeTest.string("image", RULES.smokeTestImage, DEFAULTS.smokeTest.image);
    // The default is pinned too (tests/smokeTest.test.ts), so only a configured image can fail this.
    if (!isPinnedImage(image)) {
        problems.add(
            `${fullKey("smokeTest.image")} = ${show(image)}: pin a version tag or digest; ${unpinnedKind(image)} ` +
                `changes under the same name, and the smoke test's Job name (which decides when it runs again) would not. ` +
                `Fix: ${fixCommand("smokeTest.image", DEFAULTS.smokeTest.image)}`,
        );
    }
    return {
        enabled: smokeTest.boolean("enabled", !isProductionStack(stack)),
        image,
        retryForSeconds: smokeTest.integer(
            "retryForSeconds",
            { min: 60, max: 3600, example: String(DEFAULTS.smokeTest.retryForSeconds) },
            DEFAULTS.smokeTest.retryForSeconds,
        ),
    };
}
