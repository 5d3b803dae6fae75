$version: "2"
namespace mesh.dbt

/// What dbt declares and knows about the model behind a published asset. Written by the mesh
/// publisher (`mesh publish datazone`); an asset carrying this form is owned by the publisher.
@documentation("dbt model: owner, tier, contract, version, freshness and lineage from dbt")
structure dbt_model {
    /// dbt unique_id, e.g. model.sales.fct_orders or model.customers.dim_customers.v2
    @required
    @length(min: 1, max: 512)
    uniqueId: String

    /// the dbt project (domain of the mesh) that owns the model
    @required
    @length(min: 1, max: 128)
    domain: String

    /// the owning team's email (meta.owner, else the group's owner)
    @length(min: 3, max: 320)
    @pattern("^[^@\\s]+@[^@\\s]+$")
    owner: String

    @length(min: 1, max: 64)
    tier: String

    materialization: String
    contractEnforced: Boolean
    version: String
    latestVersion: String
    deprecationDate: String
    tags: Tags

    /// worst freshness status of the sources upstream of the model
    sourceFreshness: String
    upstreamModels: Names
    docsUrl: String
    /// the dbt docs of the model as markdown (description, columns); test results and build
    /// times are data-quality points and lineage runs, never asset content
    readme: String

    /// what the publisher last wrote: a digest per field it writes (description, terms, each
    /// documented column's description and terms), so a hand edit shows as drift
    written: String

    /// the publisher that owns the asset (ownership mark)
    @required
    managedBy: String
    /// hash of everything the publisher writes on the asset: a different hash means a new revision
    @required
    @length(min: 64, max: 64)
    contentHash: String
}

list Tags {
    member: String
}

list Names {
    member: String
}
