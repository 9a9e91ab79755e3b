/** Container image references: whether one is pinned, for the readers that refuse a moving tag. */

/** A digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
    const tag = imageTag(image);
    return /@sha256:[a-f0-9]{64}$/.test(image) || (tag !== undefined && tag !== "latest");
}

function imageTag(image: string): string | undefined {
    return /:([\w][\w.-]*)$/.exec(image.replace(/@sha256:[a-f0-9]{64}$/, ""))?.[1];
}

export function unpinnedKind(image: string): string {
    return imageTag(image) === "latest" ? "':latest'" : "an untagged image";
}
