$version: "2"
namespace mesh.dbt

/// A data product declared in a domain's data_products.yml and published by the mesh publisher.
@documentation("dbt data product: owning domain and team, the models it bundles")
structure dbt_data_product {
    @required
    @length(min: 1, max: 128)
    domain: String

    @length(min: 3, max: 320)
    @pattern("^[^@\\s]+@[^@\\s]+$")
    owner: String

    /// dbt unique_ids of the models in the product
    models: Names

    @required
    managedBy: String
    @required
    @length(min: 64, max: 64)
    contentHash: String
}

list Names {
    member: String
}
